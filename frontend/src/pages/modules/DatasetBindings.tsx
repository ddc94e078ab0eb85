import { Link } from 'react-router-dom';
import { useDatasets } from '../../api/hooks/useDatasets';
import type { Dataset, DatasetSlot, DatasetType, RunDatasetRecord } from '../../api/types';
import {
  bindInput,
  bindOutputNew,
  bindOutputReplace,
  defaultNamePattern,
  isInputBinding,
  isInputSlot,
  isOutputBinding,
  unbind,
  type ModuleDraft,
} from './draft';

interface Props {
  slots: DatasetSlot[];
  draft: ModuleDraft;
  onChange: (draft: ModuleDraft) => void;
  readOnly: boolean;
  datasetTypes: DatasetType[];
  /** Datasets read and written by the last run (links to what the module used or produced). */
  lastRunDatasets: RunDatasetRecord[];
}

/**
 * `version: null` first, then the versions a run may read, newest first. IN: null is the latest
 * version (final or not), any published version may be chosen. INOUT: a run writes a new version
 * derived from the one it reads, which must be final, so null is the latest final version and only
 * final versions are offered.
 */
export function versionOptions(dataset: Dataset | undefined, mode: DatasetSlot['mode'] = 'IN'): { value: string; label: string }[] {
  const inout = mode === 'INOUT';
  const options = [{ value: '', label: inout ? 'Latest final version' : 'Latest version' }];
  const versions = (dataset?.versions ?? []).filter((v) => !inout || v.is_final);
  for (const v of [...versions].sort((a, b) => b.number - a.number)) {
    options.push({ value: String(v.number), label: `v${v.number}${v.name ? ` ${v.name}` : ''}${v.is_final ? ' (final)' : ''}` });
  }
  return options;
}

/** The module's dataset placeholders with their bindings (EMF's Datasets tab). */
export function DatasetBindings({ slots, draft, onChange, readOnly, datasetTypes, lastRunDatasets }: Props) {
  if (slots.length === 0) return <p className="empty">The module type has no dataset placeholders.</p>;
  const typeName = (id: number | null) =>
    id == null ? 'any' : (datasetTypes.find((t) => t.id === id)?.name ?? `type ${id}`);
  return (
    <table className="table mod-bindings" data-testid="dataset-bindings">
      <thead>
        <tr>
          <th scope="col">Placeholder</th>
          <th scope="col">Mode</th>
          <th scope="col">Dataset type</th>
          <th scope="col">Binding</th>
          <th scope="col">Last run</th>
        </tr>
      </thead>
      <tbody>
        {slots.map((slot) => (
          <tr key={slot.placeholder} data-testid={`binding-${slot.placeholder}`}>
            <td>
              <code>{slot.placeholder}</code>
              {slot.is_optional && <span className="muted"> (optional)</span>}
              {slot.description && <div className="muted mt-cell-note">{slot.description}</div>}
            </td>
            <td>{slot.mode}</td>
            <td>{typeName(slot.dataset_type)}</td>
            <td>
              {isInputSlot(slot) ? (
                <InputBindingEditor slot={slot} draft={draft} onChange={onChange} readOnly={readOnly} />
              ) : (
                <OutputBindingEditor slot={slot} draft={draft} onChange={onChange} readOnly={readOnly} />
              )}
            </td>
            <td>
              <RunDatasetLinks records={lastRunDatasets.filter((r) => r.placeholder === slot.placeholder && !r.path)} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunDatasetLinks({ records }: { records: RunDatasetRecord[] }) {
  if (records.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {records.map((r, i) => (
        <div key={`${r.dataset}-${i}`}>
          <Link to={`/datasets/${r.dataset}`}>{r.dataset_name}</Link>
          {r.version != null && <span className="muted"> v{r.version}</span>}
          <span className="muted"> ({r.direction === 'IN' ? 'read' : 'written'})</span>
        </div>
      ))}
    </>
  );
}

function InputBindingEditor({ slot, draft, onChange, readOnly }: { slot: DatasetSlot; draft: ModuleDraft; onChange: (d: ModuleDraft) => void; readOnly: boolean }) {
  const datasets = useDatasets({ type: slot.dataset_type });
  const binding = draft.dataset_bindings[slot.placeholder];
  const bound = isInputBinding(binding) ? binding : null;
  const list = datasets.data ?? [];
  const current = list.find((d) => d.id === bound?.dataset);
  const versions = versionOptions(current, slot.mode);
  const label = `Dataset for ${slot.placeholder}`;
  return (
    <div className="mod-binding-editor">
      <select
        aria-label={label}
        value={bound?.dataset ?? ''}
        disabled={readOnly}
        onChange={(e) => onChange(bindInput(draft, slot.placeholder, e.target.value ? Number(e.target.value) : null, null))}
      >
        <option value="">{slot.is_optional ? 'Not bound (optional)' : 'Choose a dataset'}</option>
        {bound && !current && <option value={bound.dataset}>dataset {bound.dataset}</option>}
        {list.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
      </select>
      <select
        aria-label={`Version for ${slot.placeholder}`}
        value={bound?.version ?? ''}
        disabled={readOnly || !bound}
        onChange={(e) => bound && onChange(bindInput(draft, slot.placeholder, bound.dataset, e.target.value === '' ? null : Number(e.target.value)))}
      >
        {versions.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
        {bound?.version != null && !versions.some((o) => o.value === String(bound.version)) && (
          <option value={bound.version}>v{bound.version}</option>
        )}
      </select>
      {bound && (
        <Link to={`/datasets/${bound.dataset}`} className="mod-open-link">
          Open
        </Link>
      )}
    </div>
  );
}

function OutputBindingEditor({ slot, draft, onChange, readOnly }: { slot: DatasetSlot; draft: ModuleDraft; onChange: (d: ModuleDraft) => void; readOnly: boolean }) {
  const datasets = useDatasets({ type: slot.dataset_type });
  const binding = draft.dataset_bindings[slot.placeholder];
  const out = isOutputBinding(binding) ? binding : null;
  const method = out?.output_method ?? '';
  const name = `method-${slot.placeholder}`;
  return (
    <div className="mod-binding-editor">
      <fieldset className="ds-radio-group mod-method" disabled={readOnly}>
        <legend className="ds-sr-only">Output method for {slot.placeholder}</legend>
        <label className="ds-radio">
          <input
            type="radio"
            name={name}
            checked={method === 'NEW'}
            onChange={() => onChange(bindOutputNew(draft, slot.placeholder, out?.name_pattern || defaultNamePattern(draft.name, slot.placeholder)))}
          />
          NEW
        </label>
        <label className="ds-radio">
          <input type="radio" name={name} checked={method === 'REPLACE'} onChange={() => onChange(bindOutputReplace(draft, slot.placeholder, null))} />
          REPLACE
        </label>
        {slot.is_optional && (
          <label className="ds-radio">
            <input type="radio" name={name} checked={method === ''} onChange={() => onChange(unbind(draft, slot.placeholder))} />
            Not bound
          </label>
        )}
      </fieldset>
      {method === 'NEW' && (
        <input
          aria-label={`Name pattern for ${slot.placeholder}`}
          className="mod-pattern"
          value={out?.name_pattern ?? ''}
          disabled={readOnly}
          title="General placeholders such as ${run.id}, ${module.name}, ${run.date} are replaced at run time."
          onChange={(e) => onChange(bindOutputNew(draft, slot.placeholder, e.target.value))}
        />
      )}
      {method === 'REPLACE' && (
        <>
          <select
            aria-label={`Dataset to replace for ${slot.placeholder}`}
            value={out?.dataset ?? ''}
            disabled={readOnly}
            onChange={(e) => onChange(bindOutputReplace(draft, slot.placeholder, e.target.value ? Number(e.target.value) : null))}
          >
            <option value="">Choose the dataset to replace</option>
            {(datasets.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          {out?.dataset != null && (
            <Link to={`/datasets/${out.dataset}`} className="mod-open-link">
              Open
            </Link>
          )}
        </>
      )}
    </div>
  );
}
