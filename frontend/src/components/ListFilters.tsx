/** The filter controls that the list screens' toolbars share; their values live in the URL's params. */
import { useEffect, useRef, useState } from 'react';

export const TEXT_FILTER_DELAY_MS = 300;

type TextKeys<P> = { [K in keyof P]-?: P[K] extends string | undefined ? K : never }[keyof P];

/**
 * A text filter written into `params[key]` after a pause in typing; a change that comes from elsewhere
 * (Back, a link) replaces what the box shows.
 */
export function useDebouncedText<P extends object>(params: P, key: TextKeys<P>, onChange: (params: P) => void) {
  const current = (params[key] as string | undefined) ?? '';
  const [value, setValue] = useState(current);
  // The value this box last wrote to the URL: a different one came from elsewhere.
  const written = useRef(current);
  useEffect(() => {
    if (current === written.current) return;
    written.current = current;
    setValue(current);
  }, [current]);
  useEffect(() => {
    const wanted = value.trim();
    if (wanted === written.current) return;
    const timer = setTimeout(() => {
      written.current = wanted;
      onChange({ ...params, [key]: wanted });
    }, TEXT_FILTER_DELAY_MS);
    return () => clearTimeout(timer);
  }, [value, params, key, onChange]);
  return [value, setValue] as const;
}

interface IdFilterProps {
  label: string;
  /** The first option's text: no filter. */
  allLabel: string;
  options: { id: number; name: string }[];
  value: number | null | undefined;
  onChange: (id: number | null) => void;
}

/** A filter by one of some named things (project, type…), or none. */
export function IdFilterSelect({ label, allLabel, options, value, onChange }: IdFilterProps) {
  return (
    <select aria-label={label} value={value ?? ''} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)}>
      <option value="">{allLabel}</option>
      {options.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
    </select>
  );
}
