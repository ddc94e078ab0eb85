import { useState, type FormEvent } from 'react';
import { useCreateDataset } from '../../api/hooks/useCreateDataset';
import { useDatasetTypes } from '../../api/hooks/useDatasetTypes';
import type { Dataset, ProjectMembership } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions, ProjectSelect, TextAreaField, TextField } from '../../components/FormFields';
import { rowsToKeywords, type KeywordRow } from './keywords';
import { KeywordsEditor } from './KeywordsEditor';

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
        <TextField id="ds-name" label="Name" value={name} onChange={setName} required maxLength={200} />
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
          <ProjectSelect id="ds-project" projects={projects} value={projectId} onChange={setProjectId} />
        </div>
        {typeId && <TypeColumns columns={types.data?.find((t) => String(t.id) === typeId)?.columns ?? []} />}
        <TextAreaField id="ds-description" label="Description" value={description} onChange={setDescription} rows={2} />
        <KeywordsEditor rows={keywordRows} onChange={setKeywordRows} />
        <FormErrors error={types.error ?? create.error} extra={localErrors} />
        <ModalActions submitLabel="Create dataset" disabled={create.isPending || !name.trim()} onCancel={onClose} />
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
