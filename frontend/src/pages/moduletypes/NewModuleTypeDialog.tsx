import { useState, type FormEvent } from 'react';
import { useCreateModuleType } from '../../api/hooks/useCreateModuleType';
import type { ModuleType, ModuleTypeCreate, ProjectMembership } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions, parseTags, ProjectSelect, TextAreaField, TextField } from '../../components/FormFields';

interface Props {
  /** What a user may create: simple or composite (the progressive types are built in). */
  kind: ModuleTypeCreate['kind'];
  projects: ProjectMembership[];
  onClose: () => void;
  onCreated: (created: ModuleType) => void;
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
        <TextField id="mt-new-name" label="Name" value={name} onChange={setName} required maxLength={200} />
        <ProjectSelect id="mt-new-project" projects={projects} value={projectId} onChange={setProjectId} />
        <TextAreaField id="mt-new-description" label="Description" value={description} onChange={setDescription} />
        <TextField id="mt-new-tags" label="Tags (comma separated)" value={tags} onChange={setTags} />
        <FormErrors error={create.error} />
        <ModalActions submitLabel="Create" disabled={create.isPending || !name.trim() || !projectId} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
