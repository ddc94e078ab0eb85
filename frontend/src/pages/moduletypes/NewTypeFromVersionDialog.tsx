import { useState, type FormEvent } from 'react';
import { useNewTypeFromVersion } from '../../api/hooks/useNewTypeFromVersion';
import type { ModuleType } from '../../api/types';
import { Dialog } from '../datasets/Dialog';
import { FormErrors } from '../datasets/FormErrors';

export function NewTypeFromVersionDialog({
  versionId,
  suggestion,
  onClose,
  onCreated,
}: {
  versionId: number;
  suggestion: string;
  onClose: () => void;
  onCreated: (created: ModuleType) => void;
}) {
  const [name, setName] = useState(suggestion);
  const create = useNewTypeFromVersion();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    create.mutate({ version: versionId, name: name.trim() }, { onSuccess: onCreated });
  };
  return (
    <Dialog title="New type from version" onClose={onClose}>
      <form onSubmit={submit}>
        <p className="muted">The new module type's version 0 is a copy of this version.</p>
        <div className="field">
          <label htmlFor="mt-new-type-name">Name of the new module type</label>
          <input id="mt-new-type-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </div>
        <FormErrors error={create.error} />
        <div className="ds-modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
            Create type
          </button>
        </div>
      </form>
    </Dialog>
  );
}
