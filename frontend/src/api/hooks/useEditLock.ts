import { useCallback, useEffect, useRef, useState } from 'react';
import { apiDelete, apiPost, CSRF_HEADER_NAME, getCsrfToken, isApiError } from '../client';
import type { EditLock } from '../types';

/** Which kind of object is locked: `/api/modules/{id}/lock` or `/api/module-types/{id}/lock`. */
export type LockTarget = 'modules' | 'module-types';

/** Renew well inside the server's 5-minute lapse. */
export const LOCK_RENEW_MS = 60_000;

/** POST /api/{target}/{id}/lock → `{lock}` (takes or renews the caller's lock); 409 `locked` with `details.lock`. */
export async function takeLock(target: LockTarget, id: number): Promise<EditLock> {
  const { lock } = await apiPost<{ lock: EditLock }>(`/api/${target}/${id}/lock`);
  return lock;
}

/** DELETE /api/{target}/{id}/lock → 204 (own lock; an admin may break anyone's). */
export function releaseLock(target: LockTarget, id: number): Promise<null> {
  return apiDelete(`/api/${target}/${id}/lock`);
}

/** The lock held by someone else, from a 409 `locked`. */
export function lockFromError(error: unknown): EditLock | null {
  if (!isApiError(error) || error.status !== 409) return null;
  const details = error.details as { lock?: EditLock } | null;
  return details?.lock ?? null;
}

export type EditLockState =
  | { kind: 'idle' }
  | { kind: 'acquiring' }
  | { kind: 'mine'; lock: EditLock }
  | { kind: 'theirs'; lock: EditLock }
  | { kind: 'error'; error: unknown };

// Holders per object in this tab: a re-mount (React StrictMode, a route change back) must not
// release a lock the new mount still wants, so releasing waits a tick and checks.
const holders = new Map<string, number>();

function hold(key: string): void {
  holders.set(key, (holders.get(key) ?? 0) + 1);
}

function letGo(key: string, release: () => void): void {
  holders.set(key, (holders.get(key) ?? 1) - 1);
  setTimeout(() => {
    if ((holders.get(key) ?? 0) <= 0) {
      holders.delete(key);
      release();
    }
  }, 0);
}

/**
 * Takes the edit lock while the editor is open (`enabled`), renews it every minute, releases it when
 * the editor closes. When someone else holds it the state says who (`theirs`). `onLockEvent` feeds
 * the `lock` events of the object's topic in; `breakLock` is the admins' way in; `retake` tries again.
 */
export function useEditLock(target: LockTarget, id: number, enabled: boolean) {
  const [state, setState] = useState<EditLockState>(() => (enabled ? { kind: 'acquiring' } : { kind: 'idle' }));
  const mine = state.kind === 'mine';
  const alive = useRef(true);

  const acquire = useCallback(async () => {
    setState((s) => (s.kind === 'mine' ? s : { kind: 'acquiring' }));
    try {
      const lock = await takeLock(target, id);
      if (alive.current) setState({ kind: 'mine', lock });
    } catch (error) {
      if (!alive.current) return;
      const theirs = lockFromError(error);
      setState(theirs ? { kind: 'theirs', lock: theirs } : { kind: 'error', error });
    }
  }, [target, id]);

  useEffect(() => {
    alive.current = true;
    if (!enabled || !Number.isFinite(id)) return;
    const key = `${target}:${id}`;
    hold(key);
    void acquire();
    return () => {
      alive.current = false;
      letGo(key, () => void releaseLock(target, id).catch(() => undefined));
    };
  }, [target, id, enabled, acquire]);

  // Closing the tab or a full page load runs no React cleanup: release with a request that outlives the page.
  useEffect(() => {
    if (!mine) return;
    const onHide = () => {
      const token = getCsrfToken();
      void fetch(`/api/${target}/${id}/lock`, {
        method: 'DELETE',
        keepalive: true,
        credentials: 'same-origin',
        headers: token ? { [CSRF_HEADER_NAME]: token } : {},
      }).catch(() => undefined);
    };
    window.addEventListener('pagehide', onHide);
    return () => window.removeEventListener('pagehide', onHide);
  }, [mine, target, id]);

  useEffect(() => {
    if (!mine) return;
    const timer = window.setInterval(() => void acquire(), LOCK_RENEW_MS);
    return () => window.clearInterval(timer);
  }, [mine, acquire]);

  /** A `lock` event: `lock` is the holder now (null: nobody). */
  const onLockEvent = useCallback(
    (lock: EditLock | null, myUsername: string | undefined) => {
      if (!enabled) return;
      if (lock && lock.user !== myUsername) setState({ kind: 'theirs', lock });
      else if (lock) setState({ kind: 'mine', lock });
      else setState((s) => (s.kind === 'mine' ? { kind: 'idle' } : s.kind === 'theirs' ? { kind: 'idle' } : s));
    },
    [enabled],
  );

  const breakLock = useCallback(async () => {
    await releaseLock(target, id);
    await acquire();
  }, [target, id, acquire]);

  return { state, retake: acquire, breakLock, onLockEvent };
}
