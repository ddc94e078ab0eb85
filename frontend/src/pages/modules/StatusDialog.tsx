import type { ModuleStatus } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { errorMessage } from '../../components/ErrorPanel';
import { StatusBadge } from './StatusBadge';

interface Props {
  moduleName: string;
  status: ModuleStatus | undefined;
  loading: boolean;
  error: unknown;
  onClose: () => void;
}

/** EMF's Status window: why the module is OutOfDate, one line per failed condition (kept live by the caller). */
export function StatusDialog({ moduleName, status, loading, error, onClose }: Props) {
  return (
    <Dialog title="Module status" onClose={onClose}>
      <p>
        <strong>{moduleName}</strong> is{' '}
        <StatusBadge status={status?.status} testId="status-dialog-status" />
      </p>
      {error != null && !status && <p className="form-error">Could not load the status: {errorMessage(error)}</p>}
      {loading && !status && <p className="muted">Loading…</p>}
      {status?.status === 'UpToDate' && <p>Every condition of the UpToDate status holds.</p>}
      {status && status.reasons.length > 0 && (
        <>
          <p>The module is OutOfDate because:</p>
          <ul className="mod-reasons" data-testid="status-reasons">
            {status.reasons.map((r, i) => (
              <li key={`${r.code}-${i}`} data-code={r.code}>
                {r.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="ds-modal-actions">
        <button type="button" className="btn btn-primary" onClick={onClose}>
          OK
        </button>
      </div>
    </Dialog>
  );
}
