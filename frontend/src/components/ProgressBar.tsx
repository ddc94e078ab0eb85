import { formatBytes, percentOf } from '../format';

interface Props {
  label: string;
  done: number;
  total: number | null;
}

/** A labelled progress bar; aria-valuenow is the whole percent (absent while the total is unknown). */
export function ProgressBar({ label, done, total }: Props) {
  const percent = percentOf(done, total);
  return (
    <div className="ds-progress">
      <div className="ds-progress-label">
        <span>{label}</span>
        <span className="muted">
          {formatBytes(done)}
          {total ? ` of ${formatBytes(total)}` : ''}
          {percent !== null ? ` (${percent}%)` : ''}
        </span>
      </div>
      <div
        className="ds-progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={percent !== null ? `${percent}%` : `${formatBytes(done)}`}
      >
        <div className="ds-progress-fill" style={{ width: `${percent ?? 0}%` }} />
      </div>
    </div>
  );
}
