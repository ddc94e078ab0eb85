import { useState, type FormEvent } from 'react';
import { useCreateDataset } from '../../api/hooks/useCreateDataset';
import { useDatasetTypes } from '../../api/hooks/useDatasetTypes';
import type { Dataset, ProjectMembership } from '../../api/types';
import { Dialog } from './Dialog';
import { FormErrors } from './FormErrors';
import { KeywordsEditor } from './KeywordsEditor';
import { rowsToKeywords, type KeywordRow } from './keywords';

interface Props {
  projects: ProjectMembership[];
  onClose: () => void;
  onCreated: (dataset: Dataset) => void;
  /** Preselected project (e.g. the list's project filter). */
  defaultProject?: number | null;
}

export function NewDatasetDialog({ projects, onClose, onCreated, defaultProject }: Props) {
  const types = useDatasetTypes();
  const [name, setName] = useState('');
  const [typeId, setTypeId] = useState('');
  const initialProject = projects.find((p) => p.id === defaultProject) ?? projects[0];
  const [projectId, setProjectId] = useState(initialProject ? String(initialProject.id) : '');
  const [description, setDescription] = useState('');
  const [keywordRows, setKeywordRows] = useState<KeywordRow[]>([]);
  const [localErrors, setLocalErrors] = useState<string[]>([]);
  const create = useCreateDataset();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { keywords, errors } = rowsToKeywords(keywordRows);
    const missing = [...errors];
    if (!typeId) missing.push('Choose a dataset type.');
    if (!projectId) missing.push('Choose a project.');
    setLocalErrors(missing);
    if (missing.length) return;
    create.mutate(
      { name: name.trim(), dataset_type: Number(typeId), project: Number(projectId), description, keywords },
      { onSuccess: onCreated },
    );
  };

  return (
    <Dialog title="New dataset" onClose={onClose} wide>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="ds-name">Name</label>
          <input id="ds-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </div>
        <div className="ds-field-row">
          <div className="field">
            <label htmlFor="ds-type">Dataset type</label>
            <select id="ds-type" value={typeId} onChange={(e) => setTypeId(e.target.value)} required>
              <option value="">{types.isPending ? 'Loading…' : 'Choose a type'}</option>
              {(types.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="ds-project">Project</label>
            <select id="ds-project" value={projectId} onChange={(e) => setProjectId(e.target.value)} required>
              {projects.length === 0 && <option value="">No project you can write to</option>}
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        {typeId && <TypeColumns columns={types.data?.find((t) => String(t.id) === typeId)?.columns ?? []} />}
        <div className="field">
          <label htmlFor="ds-description">Description</label>
          <textarea id="ds-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <KeywordsEditor rows={keywordRows} onChange={setKeywordRows} />
        <FormErrors error={types.error ?? create.error} extra={localErrors} />
        <div className="ds-modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
            Create dataset
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function TypeColumns({ columns }: { columns: { name: string; sql_type: string }[] }) {
  return (
    <p className="muted ds-type-columns">
      Columns: {columns.map((c) => `${c.name} (${c.sql_type})`).join(', ')}
    </p>
  );
}
