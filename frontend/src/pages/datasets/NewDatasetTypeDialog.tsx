import { useState, type FormEvent } from 'react';
import { useCreateDatasetType } from '../../api/hooks/useCreateDatasetType';
import type { DatasetColumn, DatasetType } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { ColumnsEditor, EMPTY_COLUMN } from './ColumnsEditor';

interface Props {
  onClose: () => void;
  onCreated?: (type: DatasetType) => void;
}

export function NewDatasetTypeDialog({ onClose, onCreated }: Props) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [columns, setColumns] = useState<DatasetColumn[]>([{ ...EMPTY_COLUMN }]);
  const create = useCreateDatasetType();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), description, columns: columns.map((c) => ({ name: c.name.trim(), sql_type: c.sql_type })) },
      {
        onSuccess: (created) => {
          onCreated?.(created);
          onClose();
        },
      },
    );
  };

  return (
    <Dialog title="New dataset type" onClose={onClose} wide>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="dt-name">Name</label>
          <input id="dt-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} />
        </div>
        <div className="field">
          <label htmlFor="dt-description">Description</label>
          <textarea id="dt-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <ColumnsEditor columns={columns} onChange={setColumns} />
        <FormErrors error={create.error} />
        <div className="ds-modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
            Create dataset type
          </button>
        </div>
      </form>
    </Dialog>
  );
}
