/** How a module's status shows: UpToDate green, OutOfDate red, unknown grey (pure). */
import type { ModuleStatusName } from '../../api/types';

export interface StatusBadge {
  label: string;
  className: string;
  title: string;
}

export function statusBadge(status: ModuleStatusName | null | undefined): StatusBadge {
  switch (status) {
    case 'UpToDate':
      return { label: 'UpToDate', className: 'badge mod-status mod-status-ok', title: 'The module is up to date.' };
    case 'OutOfDate':
      return {
        label: 'OutOfDate',
        className: 'badge mod-status mod-status-stale',
        title: 'The module is out of date: the Status button says why.',
      };
    default:
      return { label: 'Unknown', className: 'badge mod-status', title: 'Status not known yet.' };
  }
}

/** "1 reason" / "3 reasons". */
export function reasonCount(n: number): string {
  return `${n} reason${n === 1 ? '' : 's'}`;
}
