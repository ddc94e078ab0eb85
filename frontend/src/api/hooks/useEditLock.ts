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
 * The edit lock, taken only when editing starts (`acquire`: the first change or an Edit button), never
 * by opening; renewed every minute while held; released by `release` (save, discard) and when the
 * editor closes (unmount, tab closed). `initial` is the holder the object was loaded with; `lock`
 * events (`onLockEvent`) keep the state current. `breakLock` is the admins' way in.
 */
export function useEditLock(target: LockTarget, id: number, enabled: boolean, initial?: EditLock | null, me?: string) {
  const [state, setState] = useState<EditLockState>(() =>
    enabled && initial && initial.user !== me ? { kind: 'theirs', lock: initial } : { kind: 'idle' },
  );
  const mine = state.kind === 'mine';
  const alive = useRef(true);
  const wanted = useRef(false);

  const acquire = useCallback(async () => {
    if (!enabled || !Number.isFinite(id)) return false;
    wanted.current = true;
    setState((s) => (s.kind === 'mine' ? s : { kind: 'acquiring' }));
    try {
      const lock = await takeLock(target, id);
      if (alive.current && wanted.current) setState({ kind: 'mine', lock });
      return true;
    } catch (error) {
      if (!alive.current) return false;
      const theirs = lockFromError(error);
      if (theirs) wanted.current = false; // the next change (once it is free) asks again
      setState(theirs ? { kind: 'theirs', lock: theirs } : { kind: 'error', error });
      return false;
    }
  }, [target, id, enabled]);

  const release = useCallback(() => {
    if (!wanted.current) return;
    wanted.current = false;
    setState((s) => (s.kind === 'mine' || s.kind === 'acquiring' || s.kind === 'error' ? { kind: 'idle' } : s));
    void releaseLock(target, id).catch(() => undefined);
  }, [target, id]);

  // The holder the object was (re)loaded with, when it arrives after the editor opened.
  const initialUser = initial?.user;
  const initialSince = initial?.since;
  useEffect(() => {
    if (!enabled || !initial || initial.user === me) return;
    setState((s) => (s.kind === 'idle' ? { kind: 'theirs', lock: initial } : s));
    // Only a different holder matters.
  }, [enabled, initialUser, initialSince, me]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    alive.current = true;
    if (!enabled || !Number.isFinite(id)) return;
    const key = `${target}:${id}`;
    hold(key);
    return () => {
      alive.current = false;
      const held = wanted.current;
      letGo(key, () => {
        if (held) void releaseLock(target, id).catch(() => undefined);
      });
    };
  }, [target, id, enabled]);

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
      if (lock && lock.user !== myUsername) {
        wanted.current = false;
        setState({ kind: 'theirs', lock });
      } else if (lock) setState({ kind: 'mine', lock });
      else setState((s) => (s.kind === 'mine' || s.kind === 'theirs' ? { kind: 'idle' } : s));
    },
    [enabled],
  );

  const breakLock = useCallback(async () => {
    await releaseLock(target, id);
    await acquire();
  }, [target, id, acquire]);

  return { state, acquire, release, breakLock, onLockEvent, wanted };
}
