import { useState, type FormEvent } from 'react';
import { useCreateVersion } from '../../api/hooks/useCreateVersion';
import type { DatasetVersion } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions, TextAreaField, TextField } from '../../components/FormFields';

interface Props {
  datasetId: number;
  /** Final versions: the only possible bases. */
  finals: DatasetVersion[];
  onClose: () => void;
}

export function NewVersionDialog({ datasetId, finals, onClose }: Props) {
  const latest = finals.length ? finals[finals.length - 1].number : null;
  const [base, setBase] = useState(latest === null ? '' : String(latest));
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useCreateVersion(datasetId);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ base: Number(base), name: name.trim(), description }, { onSuccess: onClose });
  };

  return (
    <Dialog title="New version" onClose={onClose}>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="nv-base">Base version</label>
          <select id="nv-base" value={base} onChange={(e) => setBase(e.target.value)} required>
            {finals.map((v) => (
              <option key={v.number} value={v.number}>
                {v.number} — {v.name}
              </option>
            ))}
          </select>
        </div>
        <TextField id="nv-name" label="Name" value={name} onChange={setName} maxLength={200} placeholder="Version N" />
        <TextAreaField id="nv-description" label="Description" rows={2} value={description} onChange={setDescription} />
        <FormErrors error={create.error} />
        <ModalActions submitLabel="Create version" disabled={create.isPending || base === ''} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
