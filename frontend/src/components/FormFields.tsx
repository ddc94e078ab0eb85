/** The form blocks that the create/edit dialogs share: labelled fields, the project choice, the buttons. */
import type { ProjectMembership } from '../api/types';

interface TextProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  maxLength?: number;
  placeholder?: string;
  disabled?: boolean;
}

export function TextField({ id, label, value, onChange, required, maxLength, placeholder, disabled }: TextProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required={required}
        maxLength={maxLength}
        placeholder={placeholder}
        disabled={disabled}
      />
    </div>
  );
}

export function TextAreaField({
  id,
  label,
  value,
  onChange,
  rows = 3,
  disabled,
}: Pick<TextProps, 'id' | 'label' | 'value' | 'onChange' | 'disabled'> & { rows?: number }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={rows} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} />
    </div>
  );
}

interface ProjectSelectProps {
  id: string;
  projects: ProjectMembership[];
  /** The project id as text, "" for none. */
  value: string;
  onChange: (value: string) => void;
  /** The object's own project, still offered when the user may not write to it. */
  current?: { id: number; name: string };
  disabled?: boolean;
}

/** The projects the user may create in or move to. */
export function ProjectSelect({ id, projects, value, onChange, current, disabled }: ProjectSelectProps) {
  const keepCurrent = current && !projects.some((p) => p.id === current.id);
  return (
    <div className="field">
      <label htmlFor={id}>Project</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required disabled={disabled}>
        {projects.length === 0 && !keepCurrent && <option value="">No project you can write to</option>}
        {keepCurrent && <option value={current.id}>{current.name}</option>}
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Comma-separated tags → a list without blanks or repeats. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

/** Cancel and the submit button of a dialog's form (`title`: why submitting is not possible yet). */
export function ModalActions({
  submitLabel,
  disabled,
  onCancel,
  title,
}: {
  submitLabel: string;
  disabled: boolean;
  onCancel: () => void;
  title?: string;
}) {
  return (
    <div className="ds-modal-actions">
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="btn btn-primary" disabled={disabled} title={title}>
        {submitLabel}
      </button>
    </div>
  );
}
