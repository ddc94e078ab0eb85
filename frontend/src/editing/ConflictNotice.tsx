import { isAdmin } from '../permissions';
import type { Me } from '../api/types';
import { AlsoViewing } from '../components/AlsoViewing';
import { Dialog } from '../components/Dialog';
import { EditLockBanner } from '../components/EditLockBanner';
import type { EditSession } from './useEditSession';

interface Props<S, D> {
  session: EditSession<S, D>;
  /** What is edited, in words: "module", "version", "dataset". */
  noun: string;
  /** What the edit lock is on, when not the same ("module type"). */
  lockNoun?: string;
  me: Me | null | undefined;
  /** Whether this user may edit at all (the lock banner says nothing otherwise). */
  mayEdit: boolean;
  /** The edits as text, to read and copy when they cannot be saved. */
  editsText: string;
  /** Starts the page's own save (the leave prompt's Save). */
  onSave: () => void;
  saving?: boolean;
}

/**
 * Everything an edit session has to say: someone else's edit lock, who else is looking, a refused
 * save (412: keep my edits on their version, or reload), a change by someone else under unsaved edits,
 * and the "unsaved changes" question when leaving the page (save, discard or stay).
 */
export function ConflictNotice<S, D>({ session, noun, lockNoun = noun, me, mayEdit, editsText, onSave, saving }: Props<S, D>) {
  const { blocker } = session;
  return (
    <>
      {session.conflict && (
        <div className="ds-notice mt-conflict" role="alert" data-testid="conflict">
          <p>
            <strong>Someone else saved this {noun} since you opened it; your save was refused and your edits are kept.</strong>
          </p>
          <KeptEdits text={editsText} />
          <div className="ds-form-actions">
            <button type="button" className="btn btn-primary" onClick={() => void session.keepMine()}>
              Keep my edits on their version
            </button>
            <button type="button" className="btn" onClick={() => void session.reload()}>
              Reload (discards my edits)
            </button>
          </div>
        </div>
      )}
      <EditLockBanner
        state={session.lockState}
        noun={lockNoun}
        mayEdit={mayEdit}
        admin={isAdmin(me)}
        onBreak={session.breakLock}
        onRetake={session.startEditing}
      />
      {mayEdit && session.lockState.kind === 'theirs' && session.dirty && (
        <div className="ds-notice" role="status" data-testid="lock-lost-edits">
          <p>Your unsaved edits are still shown; copy them before reloading.</p>
          <KeptEdits text={editsText} />
        </div>
      )}
      <AlsoViewing viewers={session.viewers} />
      {!session.conflict && session.remoteChanged && (
        <div className="ds-notice" role="status" data-testid="remote-changed">
          This {noun} was changed by someone else since you opened it; saving now would be refused.{' '}
          <button type="button" className="btn btn-small" onClick={() => void session.keepMine()}>
            Keep my edits on their version
          </button>{' '}
          <button type="button" className="btn btn-small" onClick={() => void session.reload()}>
            Reload
          </button>{' '}
          (reloading discards yours).
        </div>
      )}
      {session.keptMine && !session.conflict && (
        <p className="ds-notice-ok" role="status">
          Your edits now apply to the latest saved version: review them and save again.
        </p>
      )}
      {blocker.state === 'blocked' && (
        <Dialog title="Unsaved changes" onClose={() => blocker.reset()}>
          <div data-testid="leave-prompt">
            <p>This {noun} has changes you have not saved. Save them before leaving?</p>
            <div className="ds-form-actions">
              <button
                type="button"
                className="btn btn-primary"
                disabled={saving || session.readOnly}
                onClick={() => {
                  session.leaveAfterSave();
                  onSave();
                }}
              >
                Save
              </button>
              <button
                type="button"
                className="btn ds-btn-danger"
                onClick={() => {
                  session.discard();
                  blocker.proceed();
                }}
              >
                Discard
              </button>
              <button type="button" className="btn" onClick={() => blocker.reset()}>
                Stay
              </button>
            </div>
          </div>
        </Dialog>
      )}
    </>
  );
}

/** The user's unsaved edits, to read and copy when they cannot be saved. */
export function KeptEdits({ text }: { text: string }) {
  return (
    <details>
      <summary>Your edits</summary>
      <textarea readOnly className="mono mt-edits-copy" rows={10} aria-label="Your edits" value={text} />
      <button type="button" className="btn btn-small" onClick={() => void navigator.clipboard?.writeText(text)}>
        Copy my edits
      </button>
    </details>
  );
}
