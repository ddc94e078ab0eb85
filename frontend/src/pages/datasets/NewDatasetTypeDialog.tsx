import { useState, type FormEvent } from 'react';
import { useCreateDatasetType } from '../../api/hooks/useCreateDatasetType';
import type { DatasetColumn, DatasetType } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions, TextAreaField, TextField } from '../../components/FormFields';
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
        <TextField id="dt-name" label="Name" value={name} onChange={setName} required maxLength={120} />
        <TextAreaField id="dt-description" label="Description" rows={2} value={description} onChange={setDescription} />
        <ColumnsEditor columns={columns} onChange={setColumns} />
        <FormErrors error={create.error} />
        <ModalActions submitLabel="Create dataset type" disabled={create.isPending || !name.trim()} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
