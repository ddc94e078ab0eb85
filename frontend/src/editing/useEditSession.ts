import { useCallback, useEffect, useRef, useState } from 'react';
import { useBlocker, type Blocker } from 'react-router-dom';
import { isApiError } from '../api/client';
import { useEditLock, type EditLockState, type LockTarget } from '../api/hooks/useEditLock';
import type { EditLock, PresenceViewer } from '../api/types';
import { useWarnBeforeUnload } from '../components/useWarnBeforeUnload';
import { lockOfEvent } from '../live/editLock';
import { otherViewers, usePresence, type PresenceKind } from '../live/presence';
import { useTopic } from '../live/useTopic';
import {
  isDirty,
  leaveNeedsAsking,
  sessionEdit,
  sessionKeepMine,
  sessionRefused,
  sessionReload,
  sessionSaved,
  sessionServerChanged,
  sessionStart,
  type SessionModel,
  type SessionState,
} from './editSession';

const TOPIC_KIND: Record<LockTarget, PresenceKind> = { modules: 'module', 'module-types': 'module-type' };

export interface EditSessionOptions<S, D> extends SessionModel<S, D> {
  /** The freshest server state (the query's data): a new one is compared with the base. */
  loaded: S;
  /** Refetches the object (reload, keep mine). */
  refetch: () => Promise<S | undefined>;
  /** Whether this user may edit at all (rights, not final). */
  mayEdit: boolean;
  me?: string;
  /** The object's edit lock and presence (`module:<id>`, `module-type:<id>`); none for datasets. */
  lock?: { target: LockTarget; id: number; initial?: EditLock | null };
  /** Edits kept outside the draft (the Version Editor's diagram store). */
  outside?: { dirty: boolean; matches: (loaded: S) => boolean };
  /** The session reset the draft from the server (reload, discard, a save): reset what lives outside. */
  onReset?: (server: S, keepMine: boolean) => void;
}

export interface EditSession<S, D> {
  base: S;
  draft: D;
  dirty: boolean;
  /** Inputs are disabled: no rights, or someone else holds the lock. */
  readOnly: boolean;
  conflict: boolean;
  remoteChanged: boolean;
  /** "Keep my edits on their version" happened: the edits now apply to the latest saved version. */
  keptMine: boolean;
  lockState: EditLockState;
  viewers: PresenceViewer[];
  /** Change the draft; the first change takes the edit lock. */
  edit: (next: D | ((draft: D) => D)) => void;
  /** Takes the edit lock without changing anything (an Edit button, changes kept outside the draft). */
  startEditing: () => void;
  breakLock: () => void;
  /** Report a save: its result becomes the base; the lock goes. */
  saved: (result: S) => void;
  /** Report a failed save; true when it was a 412 (the conflict is then shown). */
  saveFailed: (error: unknown) => boolean;
  keepMine: () => Promise<void>;
  reload: () => Promise<void>;
  /** Drops the edits and the lock. */
  discard: () => void;
  /** Navigation inside the app while dirty: blocked until save, discard or stay. */
  blocker: Blocker;
  /** The leave prompt's Save: set by the page to start its own save. */
  leaveAfterSave: () => void;
}

/**
 * One edit session: base/draft/dirty/ETag/412 rebase/keep-mine, the edit lock (taken on the first
 * change, released on save, discard and leaving), presence, and no silent loss of edits (reload asks
 * the browser's question, navigation inside the app is blocked until save, discard or stay).
 */
export function useEditSession<S, D>(options: EditSessionOptions<S, D>): EditSession<S, D> {
  const model = useRef(options);
  model.current = options;
  const { loaded, mayEdit, me, lock: lockOptions } = options;
  const [state, setState] = useState<SessionState<S, D>>(() => sessionStart(options, loaded));
  const [keptMine, setKeptMine] = useState(false);
  const draftDirty = isDirty(options, state);
  const dirty = draftDirty || !!options.outside?.dirty;

  // ------------------------------------------------------------------ lock and presence
  const target = lockOptions?.target ?? 'modules';
  const lockId = lockOptions ? lockOptions.id : Number.NaN;
  const lock = useEditLock(target, lockId, mayEdit && !!lockOptions, lockOptions?.initial, me);
  const { onLockEvent, acquire, release, wanted } = lock;
  const objectTopic = lockOptions ? `${TOPIC_KIND[target]}:${lockId}` : null;
  useTopic(
    mayEdit ? objectTopic : null,
    (event) => {
      const holder = lockOfEvent(event);
      if (holder !== undefined) onLockEvent(holder, me);
    },
    // Missed events (the socket dropped, and with it, on the server, this user's lock): take it again.
    () => {
      if (wanted.current) void acquire();
    },
  );
  const viewers = otherViewers(usePresence(TOPIC_KIND[target], lockId), me);
  const readOnly = !mayEdit || lock.state.kind === 'theirs';

  const startEditing = useCallback(() => {
    if (!wanted.current && lockOptions) void acquire();
  }, [acquire, wanted, lockOptions]);

  // ------------------------------------------------------------------ following the server
  const outsideRef = useRef(options.outside);
  outsideRef.current = options.outside;
  const stateRef = useRef(state);
  stateRef.current = state;
  useEffect(() => {
    const s = stateRef.current;
    const next = sessionServerChanged(model.current, s, loaded, outsideRef.current);
    if (next === s) return;
    stateRef.current = next;
    setState(next);
    if (next.base === loaded && next.draft !== s.draft) model.current.onReset?.(loaded, false);
  }, [loaded]);

  useWarnBeforeUnload(dirty);

  // ------------------------------------------------------------------ actions
  const edit = useCallback(
    (next: D | ((draft: D) => D)) => {
      setState((s) => sessionEdit(s, typeof next === 'function' ? (next as (d: D) => D)(s.draft) : next));
      startEditing();
    },
    [startEditing],
  );

  const blocker = useBlocker(({ currentLocation, nextLocation }) => leaveNeedsAsking(dirty, currentLocation, nextLocation));
  const leaving = useRef(false);

  const saved = useCallback(
    (result: S) => {
      setState((s) => sessionSaved(model.current, s, result));
      setKeptMine(false);
      model.current.onReset?.(result, false);
      release();
      if (leaving.current) {
        leaving.current = false;
        // The draft is clean only after this render: proceed once it is.
        window.setTimeout(() => blocker.proceed?.(), 0);
      }
    },
    [release, blocker],
  );

  const saveFailed = useCallback((error: unknown) => {
    leaving.current = false;
    if (isApiError(error) && error.status === 412) {
      setState(sessionRefused);
      return true;
    }
    return false;
  }, []);

  const keepMine = useCallback(async () => {
    const fresh = await model.current.refetch();
    if (!fresh) return;
    setState((s) => sessionKeepMine(model.current, s, fresh));
    setKeptMine(true);
    model.current.onReset?.(fresh, true);
  }, []);

  const reload = useCallback(async () => {
    const fresh = await model.current.refetch();
    if (!fresh) return;
    setState(sessionReload(model.current, fresh));
    setKeptMine(false);
    model.current.onReset?.(fresh, false);
  }, []);

  const discard = useCallback(() => {
    setState((s) => sessionReload(model.current, s.base));
    model.current.onReset?.(state.base, false);
    release();
  }, [release, state.base]);

  const leaveAfterSave = useCallback(() => {
    leaving.current = true;
  }, []);

  return {
    base: state.base,
    draft: state.draft,
    dirty,
    readOnly,
    conflict: state.conflict,
    remoteChanged: state.remoteChanged,
    keptMine,
    lockState: lock.state,
    viewers,
    edit,
    startEditing,
    breakLock: () => void lock.breakLock(),
    saved,
    saveFailed,
    keepMine,
    reload,
    discard,
    blocker,
    leaveAfterSave,
  };
}
