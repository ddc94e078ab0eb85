/** What the editor says about its edit lock (pure). */
import type { EditLockState } from '../../api/hooks/useEditLock';
import type { EditLock, PresenceViewer } from '../../api/types';

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

/** The editor is read-only unless this tab holds the lock. */
export function isLockedOut(state: EditLockState): boolean {
  return state.kind !== 'mine';
}

/** Viewers other than me, once each (a user may have several tabs open). */
export function otherViewers(viewers: PresenceViewer[], me: string | undefined): PresenceViewer[] {
  const seen = new Set<string>();
  return viewers.filter((v) => {
    if (v.user === me || seen.has(v.user)) return false;
    seen.add(v.user);
    return true;
  });
}
