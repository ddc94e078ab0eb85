import { useMemo, useState, type FormEvent } from 'react';
import { useCreateModule } from '../../api/hooks/useCreateModule';
import { useModuleTypeVersions } from '../../api/hooks/useModuleTypeVersions';
import type { Module, ModuleTypeVersionListItem, ProjectMembership } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { parseTags } from './draft';

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
        <div className="field">
          <label htmlFor="new-module-name">Name</label>
          <input id="new-module-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-module-project">Project</label>
          <select id="new-module-project" value={project} onChange={(e) => setProject(e.target.value ? Number(e.target.value) : '')}>
            {projects.length === 0 && <option value="">No project you can write to</option>}
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
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
        <div className="field">
          <label htmlFor="new-module-description">Description</label>
          <textarea id="new-module-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-module-tags">Tags</label>
          <input id="new-module-tags" placeholder="comma separated" value={tags} onChange={(e) => setTags(e.target.value)} />
        </div>
        <FormErrors error={create.error ?? (versions.isError ? versions.error : undefined)} />
        <div className="ds-modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={create.isPending || missing.length > 0}
            title={missing.length ? `Choose ${missing.join(', ')}` : undefined}
          >
            Create module
          </button>
        </div>
      </form>
    </Dialog>
  );
}
