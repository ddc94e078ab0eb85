import type { ModuleStatusName } from '../../api/types';
import { statusBadge } from './status';

/** The UpToDate (green) / OutOfDate (red) indicator. */
export function StatusBadge({ status, testId }: { status: ModuleStatusName | null | undefined; testId?: string }) {
  const badge = statusBadge(status);
  return (
    <span className={badge.className} title={badge.title} data-testid={testId} data-status={status ?? 'unknown'}>
      {badge.label}
    </span>
  );
}
