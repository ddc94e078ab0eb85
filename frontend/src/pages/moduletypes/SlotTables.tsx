import type { ReactNode } from 'react';
import type { DatasetSlot, DatasetType, ParameterSlot, SlotMode } from '../../api/types';

const MODES: SlotMode[] = ['IN', 'INOUT', 'OUT'];

function replaceAt<T>(list: T[], index: number, value: T): T[] {
  return list.map((item, i) => (i === index ? value : item));
}

/** What a slot table needs to know about its kind of slot (datasets and parameters differ only here). */
interface SlotKindSpec<S extends DatasetSlot | ParameterSlot> {
  /** "Dataset" / "Parameter": starts every field's label ("Dataset 1 mode"). */
  noun: string;
  title: string;
  testId: string;
  empty: string;
  name: { header: string; label: string; get: (slot: S) => string; set: (slot: S, value: string) => S };
  type: {
    header: string;
    label: string;
    get: (slot: S) => string;
    set: (slot: S, value: string) => S;
    options: { value: string; label: string }[];
    /** How to show a value that is not among the options (a type since removed). */
    unknown: (value: string) => string;
  };
  /** Parameters show their SQL type before the mode, as EMF does. */
  typeBeforeMode: boolean;
}

interface TableProps<S extends DatasetSlot | ParameterSlot> {
  spec: SlotKindSpec<S>;
  slots: S[];
  readOnly: boolean;
  addDisabled?: boolean;
  onChange: (slots: S[], renamed?: { from: string; to: string }) => void;
  onAdd: () => void;
}

/** One editable table of slots: name, mode, type, optional, description, remove. */
function SlotTable<S extends DatasetSlot | ParameterSlot>({ spec, slots, readOnly, addDisabled, onChange, onAdd }: TableProps<S>) {
  const replace = (i: number, next: S) => {
    const old = slots[i] as S;
    const from = spec.name.get(old);
    const to = spec.name.get(next);
    onChange(replaceAt(slots, i, next), from !== to ? { from, to } : undefined);
  };
  const headingId = `mt-${spec.testId}-heading`;
  const lower = spec.noun.toLowerCase();
  const label = (i: number, what: string) => `${spec.noun} ${i + 1} ${what}`;

  const modeCell = (slot: S, i: number) => (
    <td key="mode">
      <select aria-label={label(i, 'mode')} value={slot.mode} disabled={readOnly} onChange={(e) => replace(i, { ...slot, mode: e.target.value as SlotMode })}>
        {MODES.map((m) => (
          <option key={m}>{m}</option>
        ))}
      </select>
    </td>
  );
  const typeCell = (slot: S, i: number) => {
    const value = spec.type.get(slot);
    const options = spec.type.options.some((o) => o.value === value) ? spec.type.options : [{ value, label: spec.type.unknown(value) }, ...spec.type.options];
    return (
      <td key="type">
        <select aria-label={label(i, spec.type.label)} value={value} disabled={readOnly} onChange={(e) => replace(i, spec.type.set(slot, e.target.value))}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </td>
    );
  };
  const headers: ReactNode[] = [
    <th key="mode" scope="col">
      Mode
    </th>,
    <th key="type" scope="col">
      {spec.type.header}
    </th>,
  ];

  return (
    <section className="panel mt-section" aria-labelledby={headingId}>
      <div className="panel-title-row">
        <h2 id={headingId}>{spec.title}</h2>
        {!readOnly && (
          <button type="button" className="btn btn-small" onClick={onAdd} disabled={addDisabled}>
            Add {lower}
          </button>
        )}
      </div>
      {slots.length === 0 ? (
        <p className="empty">{spec.empty}</p>
      ) : (
        <table className="table mt-slot-table" data-testid={spec.testId}>
          <thead>
            <tr>
              <th scope="col">{spec.name.header}</th>
              {spec.typeBeforeMode ? [...headers].reverse() : headers}
              <th scope="col">Optional</th>
              <th scope="col">Description</th>
              {!readOnly && <th scope="col" aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {slots.map((slot, i) => (
              <tr key={i}>
                <td>
                  <input
                    aria-label={label(i, spec.name.label)}
                    className="mono"
                    value={spec.name.get(slot)}
                    disabled={readOnly}
                    onChange={(e) => replace(i, spec.name.set(slot, e.target.value))}
                  />
                </td>
                {spec.typeBeforeMode ? [typeCell(slot, i), modeCell(slot, i)] : [modeCell(slot, i), typeCell(slot, i)]}
                <td>
                  <input
                    type="checkbox"
                    aria-label={label(i, 'optional')}
                    checked={slot.is_optional}
                    disabled={readOnly}
                    onChange={(e) => replace(i, { ...slot, is_optional: e.target.checked })}
                  />
                </td>
                <td>
                  <input
                    aria-label={label(i, 'description')}
                    className="mt-grow"
                    value={slot.description}
                    disabled={readOnly}
                    onChange={(e) => replace(i, { ...slot, description: e.target.value })}
                  />
                </td>
                {!readOnly && (
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Remove ${lower} ${spec.name.get(slot) || i + 1}`}
                      onClick={() => onChange(slots.filter((_, j) => j !== i))}
                    >
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface DatasetProps {
  slots: DatasetSlot[];
  datasetTypes: Pick<DatasetType, 'id' | 'name'>[];
  readOnly: boolean;
  onChange: (slots: DatasetSlot[], renamed?: { from: string; to: string }) => void;
  onAdd: () => void;
}

export function DatasetSlotsTable({ datasetTypes, ...props }: DatasetProps) {
  const spec: SlotKindSpec<DatasetSlot> = {
    noun: 'Dataset',
    title: 'Datasets',
    testId: 'dataset-slots',
    empty: 'No dataset slots.',
    name: { header: 'Placeholder', label: 'placeholder', get: (s) => s.placeholder, set: (s, placeholder) => ({ ...s, placeholder }) },
    type: {
      header: 'Dataset type',
      label: 'type',
      get: (s) => String(s.dataset_type),
      set: (s, value) => ({ ...s, dataset_type: Number(value) }),
      options: datasetTypes.map((t) => ({ value: String(t.id), label: t.name })),
      unknown: (value) => `Type ${value}`,
    },
    typeBeforeMode: false,
  };
  return <SlotTable spec={spec} addDisabled={datasetTypes.length === 0} {...props} />;
}

interface ParameterProps {
  slots: ParameterSlot[];
  sqlTypes: string[];
  readOnly: boolean;
  onChange: (slots: ParameterSlot[], renamed?: { from: string; to: string }) => void;
  onAdd: () => void;
}

export function ParameterSlotsTable({ sqlTypes, ...props }: ParameterProps) {
  const spec: SlotKindSpec<ParameterSlot> = {
    noun: 'Parameter',
    title: 'Parameters',
    testId: 'parameter-slots',
    empty: 'No parameters.',
    name: { header: 'Name', label: 'name', get: (s) => s.name, set: (s, name) => ({ ...s, name }) },
    type: {
      header: 'SQL type',
      label: 'SQL type',
      get: (s) => s.sql_type,
      set: (s, sql_type) => ({ ...s, sql_type }),
      options: sqlTypes.map((t) => ({ value: t, label: t })),
      unknown: (value) => value,
    },
    typeBeforeMode: true,
  };
  return <SlotTable spec={spec} {...props} />;
}
