import { useMemo, useState, type FormEvent } from 'react';
import type { DatasetWithEtag } from '../../api/hooks/useDataset';
import { useMe } from '../../api/hooks/useMe';
import { useUpdateDataset } from '../../api/hooks/useUpdateDataset';
import type { Dataset } from '../../api/types';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions, TextAreaField, TextField } from '../../components/FormFields';
import { ConflictNotice } from '../../editing/ConflictNotice';
import { useEditSession } from '../../editing/useEditSession';
import { keywordsToRows, rowsToKeywords, type KeywordRow } from './keywords';
import { KeywordsEditor } from './KeywordsEditor';

interface Props {
  dataset: Dataset;
  etag: string | null;
  onDone: () => void;
  /** Refetches the dataset. */
  onReload: () => Promise<DatasetWithEtag | undefined>;
}

interface SummaryDraft {
  name: string;
  description: string;
  keywords: KeywordRow[];
}

function draftOf({ dataset }: DatasetWithEtag): SummaryDraft {
  return { name: dataset.name, description: dataset.description, keywords: keywordsToRows(dataset.keywords) };
}

/**
 * Name, description and keywords, as one edit session: edits start from the ETag loaded with the
 * dataset, so a save after someone else's gets 412; the form then keeps the user's edits (keep them
 * on their version, or reload). Leaving with unsaved edits asks first.
 */
export function SummaryEditForm({ dataset, etag, onDone, onReload }: Props) {
  const { data: me } = useMe();
  const loaded = useMemo(() => ({ dataset, etag }), [dataset, etag]);
  const session = useEditSession<DatasetWithEtag, SummaryDraft>({
    loaded,
    toDraft: draftOf,
    etagOf: (s) => s.etag,
    refetch: onReload,
    mayEdit: true,
    me: me?.username,
  });
  const { draft } = session;
  const [localErrors, setLocalErrors] = useState<string[]>([]);
  const update = useUpdateDataset();

  const save = () => {
    const { keywords, errors } = rowsToKeywords(draft.keywords);
    setLocalErrors(errors);
    if (errors.length) {
      session.blocker.reset?.();
      return;
    }
    update.mutate(
      { id: dataset.id, etag: session.base.etag, changes: { name: draft.name.trim(), description: draft.description, keywords } },
      {
        onSuccess: (result) => {
          session.saved(result);
          onDone();
        },
        onError: session.saveFailed,
      },
    );
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save();
  };

  return (
    <section className="panel" aria-labelledby="summary-edit-heading">
      <div className="panel-title-row">
        <h2 id="summary-edit-heading">Edit dataset</h2>
      </div>
      <ConflictNotice
        session={session}
        noun="dataset"
        me={me}
        mayEdit
        editsText={JSON.stringify(draft, null, 2)}
        onSave={save}
        saving={update.isPending}
      />
      <form onSubmit={submit}>
        <TextField id="edit-name" label="Name" value={draft.name} onChange={(name) => session.edit((d) => ({ ...d, name }))} required maxLength={200} />
        <TextAreaField
          id="edit-description"
          label="Description"
          value={draft.description}
          onChange={(description) => session.edit((d) => ({ ...d, description }))}
        />
        <KeywordsEditor rows={draft.keywords} onChange={(keywords) => session.edit((d) => ({ ...d, keywords }))} />
        {!session.conflict && <FormErrors error={update.error} extra={localErrors} />}
        <ModalActions
          submitLabel="Save"
          disabled={update.isPending || !draft.name.trim()}
          onCancel={() => {
            session.discard();
            onDone();
          }}
        />
      </form>
    </section>
  );
}
