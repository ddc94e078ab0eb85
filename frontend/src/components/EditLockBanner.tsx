import type { EditLockState } from '../api/hooks/useEditLock';
import { lockMessage } from '../live/editLock';
import { errorMessage } from './ErrorPanel';

interface Props {
  state: EditLockState;
  /** What is locked, in words: "module", "module type". */
  noun: string;
  /** Whether this user could edit at all (nothing is said otherwise). */
  mayEdit: boolean;
  admin: boolean;
  onBreak: () => void;
  onRetake: () => void;
}

/**
 * What an editor says about its edit lock: someone else's ("Being edited by X since HH:MM", read-only;
 * admins may break it) or a failure to take it. Nothing while the lock is free (opening is not editing:
 * the first change takes it) or this tab holds it.
 */
export function EditLockBanner({ state, noun, mayEdit, admin, onBreak, onRetake }: Props) {
  if (!mayEdit) return null;
  switch (state.kind) {
    case 'theirs':
      return (
        <div className="ds-notice mod-lock" role="status" data-testid="lock-banner">
          <strong>{lockMessage(state.lock)}</strong> — the {noun} is read-only for you until they are done.{' '}
          {admin && (
            <button type="button" className="btn btn-small ds-btn-danger" onClick={onBreak}>
              Break lock
            </button>
          )}
        </div>
      );
    case 'error':
      return (
        <div className="form-error" role="alert" data-testid="lock-banner">
          Could not take the edit lock: {errorMessage(state.error)}{' '}
          <button type="button" className="btn btn-small" onClick={onRetake}>
            Try again
          </button>
        </div>
      );
    default:
      return null;
  }
}
