import { Dialog } from '../../components/Dialog';
import { errorMessage } from '../../components/ErrorPanel';

interface Props {
  runNumber: number | null;
  moduleName: string;
  pending: boolean;
  error?: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** "Cancel run N?" — a run's work so far is lost, so Cancel asks first (issue 14 #16). */
export function CancelRunDialog({ runNumber, moduleName, pending, error, onConfirm, onClose }: Props) {
  return (
    <Dialog title="Cancel run" onClose={onClose}>
      <div className="ds-confirm-text">
        <p>
          Cancel {runNumber != null ? `run ${runNumber}` : 'the run'} of <strong>{moduleName}</strong>? It stops as soon as
          possible; what it has written so far is discarded and its outputs are not published.
        </p>
      </div>
      {error != null && (
        <div className="form-error" role="alert">
          <p>{errorMessage(error)}</p>
        </div>
      )}
      <div className="ds-modal-actions">
        <button type="button" className="btn btn-primary" onClick={onClose}>
          Keep running
        </button>
        <button type="button" className="btn ds-btn-danger" onClick={onConfirm} disabled={pending}>
          Cancel run
        </button>
      </div>
    </Dialog>
  );
}
