import { useState, type FormEvent } from 'react';
import type { UsedBy } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { FormErrors } from '../../components/FormErrors';
import { ModalActions } from '../../components/FormFields';
import { UsageList } from './UsageList';

interface Props {
  pending: boolean;
  error: unknown;
  /** Set after a 409 `has_dependents`: who uses the version; saving again confirms. */
  dependents: UsedBy | null;
  problems: string[];
  onSave: (note: string, confirmDependents: boolean) => void;
  onClose: () => void;
}

/** Every save asks for a revision note; a version in use asks for confirmation too (EMF). */
export function SaveDialog({ pending, error, dependents, problems, onSave, onClose }: Props) {
  const [note, setNote] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim()) return;
    onSave(note, dependents !== null);
  };
  return (
    <Dialog title={dependents ? 'Update a version in use?' : 'Save version'} onClose={onClose} wide>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="mt-revision-note">Revision note</label>
          <textarea
            id="mt-revision-note"
            rows={3}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder="What changed, and why"
            maxLength={2000}
            required
          />
        </div>
        {dependents && (
          <div className="ds-notice" data-testid="dependents">
            <p>
              <strong>This version is used by the following.</strong> Saving changes them too (modules that use it become
              OutOfDate).
            </p>
            <UsageList used={dependents} testId="dependents-list" />
          </div>
        )}
        <FormErrors error={dependents ? null : error} extra={problems} />
        <ModalActions submitLabel={dependents ? 'Save anyway' : 'Save'} disabled={pending || !note.trim()} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
