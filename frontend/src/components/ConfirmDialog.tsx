import type { ReactNode } from 'react';
import { Dialog } from './Dialog';
import { errorMessage } from './ErrorPanel';

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  pending?: boolean;
  danger?: boolean;
  /** Shown in the dialog; `errorDetails` can add more below the message. */
  error?: unknown;
  errorDetails?: ReactNode;
}

export function ConfirmDialog(props: Props) {
  const { title, children, confirmLabel, onConfirm, onCancel, pending, danger, error, errorDetails } = props;
  return (
    <Dialog title={title} onClose={onCancel}>
      <div className="ds-confirm-text">{children}</div>
      {error != null && (
        <div className="form-error" role="alert">
          <p>{errorMessage(error)}</p>
          {errorDetails}
        </div>
      )}
      <div className="ds-modal-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className={`btn ${danger ? 'ds-btn-danger' : 'btn-primary'}`}
          onClick={onConfirm}
          disabled={pending}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
