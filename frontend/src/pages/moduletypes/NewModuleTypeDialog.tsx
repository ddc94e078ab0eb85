import { useState, type FormEvent } from 'react';
import { useCreateModuleType } from '../../api/hooks/useCreateModuleType';
import type { ModuleType, ModuleTypeKind, ProjectMembership } from '../../api/types';
import { Dialog } from '../datasets/Dialog';
import { FormErrors } from '../datasets/FormErrors';

interface Props {
  kind: ModuleTypeKind;
  projects: ProjectMembership[];
  onClose: () => void;
  onCreated: (created: ModuleType) => void;
}

export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

export function NewModuleTypeDialog({ kind, projects, onClose, onCreated }: Props) {
  const [name, setName] = useState('');
  const [projectId, setProjectId] = useState(projects[0] ? String(projects[0].id) : '');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const create = useCreateModuleType();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || !projectId) return;
    create.mutate(
      { name: name.trim(), kind, project: Number(projectId), description, tags: parseTags(tags) },
      { onSuccess: onCreated },
    );
  };

  return (
    <Dialog title={kind === 'simple' ? 'New simple module type' : 'New composite module type'} onClose={onClose} wide>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="mt-new-name">Name</label>
          <input id="mt-new-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="mt-new-project">Project</label>
          <select id="mt-new-project" value={projectId} onChange={(e) => setProjectId(e.target.value)} required>
            {projects.length === 0 && <option value="">No project you can write to</option>}
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="mt-new-description">Description</label>
          <textarea id="mt-new-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="mt-new-tags">Tags (comma separated)</label>
          <input id="mt-new-tags" value={tags} onChange={(e) => setTags(e.target.value)} />
        </div>
        <FormErrors error={create.error} />
        <div className="ds-modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim() || !projectId}>
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}
