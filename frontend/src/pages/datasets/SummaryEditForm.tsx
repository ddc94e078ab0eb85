import { useState, type FormEvent } from 'react';
import { useUpdateDataset } from '../../api/hooks/useUpdateDataset';
import type { Dataset } from '../../api/types';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions, TextAreaField, TextField } from '../../components/FormFields';
import { isPreconditionFailed } from './errors';
import { keywordsToRows, rowsToKeywords, type KeywordRow } from './keywords';
import { KeywordsEditor } from './KeywordsEditor';
import { DatasetMetadata } from './SummarySection';

interface Props {
  dataset: Dataset;
  etag: string | null;
  onDone: () => void;
  /** Refetches the dataset; resolves with its new ETag. */
  onReload: () => Promise<string | null>;
}

export const CONFLICT_MESSAGE = 'Someone else changed this dataset; reload to see their changes.';

/**
 * Edits start from the ETag loaded with the dataset, so a save after someone else's gets 412; the
 * form then keeps the user's edits. "Reload" shows the other changes and lets the user save over them.
 */
export function SummaryEditForm({ dataset, etag, onDone, onReload }: Props) {
  const [baseEtag, setBaseEtag] = useState(etag);
  const [name, setName] = useState(dataset.name);
  const [description, setDescription] = useState(dataset.description);
  const [keywordRows, setKeywordRows] = useState<KeywordRow[]>(() => keywordsToRows(dataset.keywords));
  const [localErrors, setLocalErrors] = useState<string[]>([]);
  const [reloaded, setReloaded] = useState(false);
  const update = useUpdateDataset();
  const conflict = isPreconditionFailed(update.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { keywords, errors } = rowsToKeywords(keywordRows);
    setLocalErrors(errors);
    if (errors.length) return;
    update.mutate(
      { id: dataset.id, etag: baseEtag, changes: { name: name.trim(), description, keywords } },
      { onSuccess: onDone },
    );
  };

  const reload = async () => {
    // The reloaded ETag becomes the base: saving now knowingly replaces the changes shown.
    setBaseEtag(await onReload());
    setReloaded(true);
    update.reset();
  };

  return (
    <section className="panel" aria-labelledby="summary-edit-heading">
      <div className="panel-title-row">
        <h2 id="summary-edit-heading">Edit dataset</h2>
      </div>
      {conflict && (
        <div className="form-error ds-conflict" role="alert">
          <p>{CONFLICT_MESSAGE}</p>
          <p className="muted">Your edits are kept below.</p>
          <button type="button" className="btn btn-small" onClick={() => void reload()}>
            Reload
          </button>
        </div>
      )}
      {reloaded && (
        <div className="ds-notice" data-testid="saved-values">
          <p>
            <strong>The dataset as saved now</strong> (your edits are still in the form; saving replaces these values):
          </p>
          <DatasetMetadata dataset={dataset} />
        </div>
      )}
      <form onSubmit={submit}>
        <TextField id="edit-name" label="Name" value={name} onChange={setName} required maxLength={200} />
        <TextAreaField id="edit-description" label="Description" value={description} onChange={setDescription} />
        <KeywordsEditor rows={keywordRows} onChange={setKeywordRows} />
        {!conflict && <FormErrors error={update.error} extra={localErrors} />}
        <ModalActions submitLabel="Save" disabled={update.isPending || !name.trim()} onCancel={onDone} />
      </form>
    </section>
  );
}
