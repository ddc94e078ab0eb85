import { useState, type FormEvent } from 'react';
import { useCopyModule } from '../../api/hooks/useCopyModule';
import type { Module } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions, TextField } from '../../components/FormFields';

/** Copy a module: the copy is not final and has no history ("Copy of X" by default). */
export function CopyModuleDialog({ module, onClose, onCopied }: { module: Module; onClose: () => void; onCopied: (copy: Module) => void }) {
  const copy = useCopyModule();
  const [name, setName] = useState(`Copy of ${module.name}`);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    copy.mutate({ id: module.id, name: name.trim() || undefined }, { onSuccess: onCopied });
  };
  return (
    <Dialog title="Copy module" onClose={onClose}>
      <form onSubmit={submit}>
        <p>
          Copy <strong>{module.name}</strong> with its bindings and parameter values. The copy is not final and has no history.
        </p>
        <TextField id="copy-module-name" label="Name of the copy" value={name} maxLength={200} onChange={setName} />
        <FormErrors error={copy.error} />
        <ModalActions submitLabel="Copy" disabled={copy.isPending || !name.trim()} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
