import { useMemo, useState, type FormEvent } from 'react';
import { useCreateModule } from '../../api/hooks/useCreateModule';
import { useModuleTypeVersions } from '../../api/hooks/useModuleTypeVersions';
import type { Module, ModuleTypeVersionListItem, ProjectMembership } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions, parseTags, ProjectSelect, TextAreaField, TextField } from '../../components/FormFields';

interface Props {
  projects: ProjectMembership[];
  defaultProject?: number | null;
  onClose: () => void;
  onCreated: (module: Module) => void;
}

/** Versions grouped by module type, types by name, versions newest first. */
export function groupVersions(versions: ModuleTypeVersionListItem[]): [string, ModuleTypeVersionListItem[]][] {
  const groups = new Map<string, ModuleTypeVersionListItem[]>();
  for (const v of versions) groups.set(v.module_type_name, [...(groups.get(v.module_type_name) ?? []), v]);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, list]) => [name, [...list].sort((a, b) => b.number - a.number)]);
}

export function versionLabel(v: Pick<ModuleTypeVersionListItem, 'module_type_name' | 'number' | 'name' | 'is_final'>): string {
  return `${v.module_type_name} — v${v.number}${v.name ? ` ${v.name}` : ''}${v.is_final ? ' (final)' : ''}`;
}

/** New module: name, project, module type version (bindings are made in the editor it opens). */
export function NewModuleDialog({ projects, defaultProject, onClose, onCreated }: Props) {
  const versions = useModuleTypeVersions();
  const create = useCreateModule();
  const [name, setName] = useState('');
  const [project, setProject] = useState<number | ''>(defaultProject ?? projects[0]?.id ?? '');
  const [version, setVersion] = useState<number | ''>('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const groups = useMemo(() => groupVersions(versions.data ?? []), [versions.data]);
  const missing = [!name.trim() && 'a name', project === '' && 'a project', version === '' && 'a module type version'].filter(Boolean);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (missing.length > 0 || project === '' || version === '') return;
    create.mutate(
      { name: name.trim(), project, type_version: version, description, tags: parseTags(tags) },
      { onSuccess: onCreated },
    );
  };

  return (
    <Dialog title="New module" onClose={onClose}>
      <form onSubmit={submit}>
        <TextField id="new-module-name" label="Name" value={name} onChange={setName} maxLength={200} />
        <ProjectSelect
          id="new-module-project"
          projects={projects}
          value={String(project)}
          onChange={(value) => setProject(value ? Number(value) : '')}
        />
        <div className="field">
          <label htmlFor="new-module-version">Module type version</label>
          <select id="new-module-version" value={version} onChange={(e) => setVersion(e.target.value ? Number(e.target.value) : '')}>
            <option value="">{versions.isPending ? 'Loading…' : 'Choose a module type version'}</option>
            {groups.map(([typeName, list]) => (
              <optgroup key={typeName} label={typeName}>
                {list.map((v) => (
                  <option key={v.id} value={v.id}>
                    {versionLabel(v)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        <TextAreaField id="new-module-description" label="Description" value={description} onChange={setDescription} />
        <TextField id="new-module-tags" label="Tags" placeholder="comma separated" value={tags} onChange={setTags} />
        <FormErrors error={create.error ?? (versions.isError ? versions.error : undefined)} />
        <ModalActions
          submitLabel="Create module"
          disabled={create.isPending || missing.length > 0}
          title={missing.length ? `Choose ${missing.join(', ')}` : undefined}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}
