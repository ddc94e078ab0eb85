import type { DatasetSlot, DatasetType, ParameterSlot, SlotMode } from '../../api/types';

const MODES: SlotMode[] = ['IN', 'INOUT', 'OUT'];

function replaceAt<T>(list: T[], index: number, value: T): T[] {
  return list.map((item, i) => (i === index ? value : item));
}

interface DatasetProps {
  slots: DatasetSlot[];
  datasetTypes: Pick<DatasetType, 'id' | 'name'>[];
  readOnly: boolean;
  onChange: (slots: DatasetSlot[], renamed?: { from: string; to: string }) => void;
  onAdd: () => void;
}

export function DatasetSlotsTable({ slots, datasetTypes, readOnly, onChange, onAdd }: DatasetProps) {
  const update = (i: number, patch: Partial<DatasetSlot>) => {
    const old = slots[i] as DatasetSlot;
    const renamed = patch.placeholder !== undefined ? { from: old.placeholder, to: patch.placeholder } : undefined;
    onChange(replaceAt(slots, i, { ...old, ...patch }), renamed);
  };
  const known = new Set(datasetTypes.map((t) => t.id));
  return (
    <section className="panel mt-section" aria-labelledby="mt-datasets-heading">
      <div className="panel-title-row">
        <h2 id="mt-datasets-heading">Datasets</h2>
        {!readOnly && (
          <button type="button" className="btn btn-small" onClick={onAdd} disabled={datasetTypes.length === 0}>
            Add dataset
          </button>
        )}
      </div>
      {slots.length === 0 ? (
        <p className="empty">No dataset slots.</p>
      ) : (
        <table className="table mt-slot-table" data-testid="dataset-slots">
          <thead>
            <tr>
              <th scope="col">Placeholder</th>
              <th scope="col">Mode</th>
              <th scope="col">Dataset type</th>
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
                    aria-label={`Dataset ${i + 1} placeholder`}
                    className="mono"
                    value={slot.placeholder}
                    disabled={readOnly}
                    onChange={(e) => update(i, { placeholder: e.target.value })}
                  />
                </td>
                <td>
                  <select aria-label={`Dataset ${i + 1} mode`} value={slot.mode} disabled={readOnly} onChange={(e) => update(i, { mode: e.target.value as SlotMode })}>
                    {MODES.map((m) => (
                      <option key={m}>{m}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <select
                    aria-label={`Dataset ${i + 1} type`}
                    value={String(slot.dataset_type)}
                    disabled={readOnly}
                    onChange={(e) => update(i, { dataset_type: Number(e.target.value) })}
                  >
                    {!known.has(slot.dataset_type) && <option value={String(slot.dataset_type)}>Type {slot.dataset_type}</option>}
                    {datasetTypes.map((t) => (
                      <option key={t.id} value={String(t.id)}>
                        {t.name}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Dataset ${i + 1} optional`}
                    checked={slot.is_optional}
                    disabled={readOnly}
                    onChange={(e) => update(i, { is_optional: e.target.checked })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Dataset ${i + 1} description`}
                    className="mt-grow"
                    value={slot.description}
                    disabled={readOnly}
                    onChange={(e) => update(i, { description: e.target.value })}
                  />
                </td>
                {!readOnly && (
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Remove dataset ${slot.placeholder || i + 1}`}
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

interface ParameterProps {
  slots: ParameterSlot[];
  sqlTypes: string[];
  readOnly: boolean;
  onChange: (slots: ParameterSlot[], renamed?: { from: string; to: string }) => void;
  onAdd: () => void;
}

export function ParameterSlotsTable({ slots, sqlTypes, readOnly, onChange, onAdd }: ParameterProps) {
  const update = (i: number, patch: Partial<ParameterSlot>) => {
    const old = slots[i] as ParameterSlot;
    const renamed = patch.name !== undefined ? { from: old.name, to: patch.name } : undefined;
    onChange(replaceAt(slots, i, { ...old, ...patch }), renamed);
  };
  return (
    <section className="panel mt-section" aria-labelledby="mt-parameters-heading">
      <div className="panel-title-row">
        <h2 id="mt-parameters-heading">Parameters</h2>
        {!readOnly && (
          <button type="button" className="btn btn-small" onClick={onAdd}>
            Add parameter
          </button>
        )}
      </div>
      {slots.length === 0 ? (
        <p className="empty">No parameters.</p>
      ) : (
        <table className="table mt-slot-table" data-testid="parameter-slots">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">SQL type</th>
              <th scope="col">Mode</th>
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
                    aria-label={`Parameter ${i + 1} name`}
                    className="mono"
                    value={slot.name}
                    disabled={readOnly}
                    onChange={(e) => update(i, { name: e.target.value })}
                  />
                </td>
                <td>
                  <select aria-label={`Parameter ${i + 1} SQL type`} value={slot.sql_type} disabled={readOnly} onChange={(e) => update(i, { sql_type: e.target.value })}>
                    {!sqlTypes.includes(slot.sql_type) && <option value={slot.sql_type}>{slot.sql_type}</option>}
                    {sqlTypes.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <select aria-label={`Parameter ${i + 1} mode`} value={slot.mode} disabled={readOnly} onChange={(e) => update(i, { mode: e.target.value as SlotMode })}>
                    {MODES.map((m) => (
                      <option key={m}>{m}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Parameter ${i + 1} optional`}
                    checked={slot.is_optional}
                    disabled={readOnly}
                    onChange={(e) => update(i, { is_optional: e.target.checked })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Parameter ${i + 1} description`}
                    className="mt-grow"
                    value={slot.description}
                    disabled={readOnly}
                    onChange={(e) => update(i, { description: e.target.value })}
                  />
                </td>
                {!readOnly && (
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Remove parameter ${slot.name || i + 1}`}
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
