import { useState, type FormEvent } from 'react';
import { useNewTypeFromVersion } from '../../api/hooks/useNewTypeFromVersion';
import type { ModuleType } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions, TextField } from '../../components/FormFields';

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
        <TextField id="mt-new-type-name" label="Name of the new module type" value={name} onChange={setName} required maxLength={200} />
        <FormErrors error={create.error} />
        <ModalActions submitLabel="Create type" disabled={create.isPending || !name.trim()} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
