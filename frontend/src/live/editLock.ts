/** Edit locks as the editors and lists show them, and as `lock` events announce them (pure). */
import type { EditLock } from '../api/types';
import type { LiveEvent } from './socket';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** ISO → "10:42" in local time ("" when unparsable). */
export function clockTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function lockHolderName(lock: EditLock): string {
  return lock.user_name?.trim() || lock.user;
}

/** "Being edited by Mona Modeler since 10:42". */
export function lockMessage(lock: EditLock): string {
  const since = clockTime(lock.since);
  return `Being edited by ${lockHolderName(lock)}${since ? ` since ${since}` : ''}`;
}

/** The holder carried by a `lock` event (`{module, lock}`, `{module_type, lock}`); undefined when not a lock event. */
export function lockOfEvent(event: LiveEvent): EditLock | null | undefined {
  if (event.type !== 'lock') return undefined;
  const data = event.data as { lock?: EditLock | null } | null;
  return data && 'lock' in data ? (data.lock ?? null) : undefined;
}
