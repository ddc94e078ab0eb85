/**
 * One edit session's pure logic (the Module Editor, the Version Editor, the dataset summary form):
 * the server state the edits started from (`base`, with its ETag), the user's `draft`, whether it is
 * dirty, what a new server state does to it, a refused save (412) and "keep my edits on theirs".
 */

/** How a page's server state and drafts behave: turns the one into the other and compares. */
export interface SessionModel<S, D> {
  toDraft: (server: S) => D;
  /** The ETag to send as If-Match. */
  etagOf: (server: S) => string | null;
  /** What says the server's object changed (defaults to the ETag). */
  stampOf?: (server: S) => string;
  equal?: (a: D, b: D) => boolean;
  /** Replays my changes (`mine` against `myBase`) on `theirs`; field by field by default. */
  rebase?: (mine: D, myBase: D, theirs: D) => D;
}

export interface SessionState<S, D> {
  base: S;
  draft: D;
  /** A save was refused (412): someone else saved first; the draft is kept. */
  conflict: boolean;
  /** The server's object changed under unsaved edits (a save would be refused). */
  remoteChanged: boolean;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Every field I changed (against my base) wins; every other field is theirs. */
export function rebaseFields<D extends object>(mine: D, myBase: D, theirs: D): D {
  const out = { ...theirs } as Record<string, unknown>;
  for (const key of Object.keys(mine) as (keyof D & string)[]) {
    if (!sameJson(mine[key], myBase[key])) out[key] = mine[key];
  }
  return out as D;
}

function equalOf<S, D>(model: SessionModel<S, D>) {
  return model.equal ?? sameJson;
}

function stampOf<S, D>(model: SessionModel<S, D>, server: S): string {
  return model.stampOf ? model.stampOf(server) : String(model.etagOf(server));
}

export function sessionStart<S, D>(model: SessionModel<S, D>, loaded: S): SessionState<S, D> {
  return { base: loaded, draft: model.toDraft(loaded), conflict: false, remoteChanged: false };
}

export function isDirty<S, D>(model: SessionModel<S, D>, state: SessionState<S, D>): boolean {
  return !equalOf(model)(state.draft, model.toDraft(state.base));
}

/** The user changed the draft. */
export function sessionEdit<S, D>(state: SessionState<S, D>, draft: D): SessionState<S, D> {
  return { ...state, draft };
}

/**
 * A new server state (a refetch, a live event): without unsaved edits, or when it already says what
 * the draft says, it becomes the base; under edits with a new ETag the user is told (`remoteChanged`);
 * a change that leaves the ETag alone (a status, a run) updates the base and keeps the draft.
 */
export function sessionServerChanged<S, D>(
  model: SessionModel<S, D>,
  state: SessionState<S, D>,
  loaded: S,
  /** Edits kept outside the draft (the Version Editor's diagram): dirty, and whether `loaded` says the same. */
  outside: { dirty: boolean; matches: (loaded: S) => boolean } = { dirty: false, matches: () => true },
): SessionState<S, D> {
  if (stampOf(model, loaded) === stampOf(model, state.base)) return state;
  const equal = equalOf(model);
  const dirty = isDirty(model, state) || outside.dirty;
  if (!dirty || (equal(model.toDraft(loaded), state.draft) && outside.matches(loaded))) return sessionStart(model, loaded);
  if (model.etagOf(loaded) !== model.etagOf(state.base)) return { ...state, remoteChanged: true };
  return { ...state, base: loaded };
}

/** My save went through: its result is the new base and the draft. */
export function sessionSaved<S, D>(model: SessionModel<S, D>, _state: SessionState<S, D>, result: S): SessionState<S, D> {
  return sessionStart(model, result);
}

/** My save was refused with 412: keep the draft, say so. */
export function sessionRefused<S, D>(state: SessionState<S, D>): SessionState<S, D> {
  return { ...state, conflict: true };
}

/** Keep mine: the server's latest becomes the base (its ETag too); what I changed is replayed on it. */
export function sessionKeepMine<S, D>(model: SessionModel<S, D>, state: SessionState<S, D>, fresh: S): SessionState<S, D> {
  const rebase = model.rebase ?? ((mine: D, myBase: D, theirs: D) => rebaseFields(mine as object, myBase as object, theirs as object) as D);
  const draft = rebase(state.draft, model.toDraft(state.base), model.toDraft(fresh));
  return { base: fresh, draft, conflict: false, remoteChanged: false };
}

/** Reload or discard: the server's state, my edits gone. */
export function sessionReload<S, D>(model: SessionModel<S, D>, fresh: S): SessionState<S, D> {
  return sessionStart(model, fresh);
}

/** Leaving asks first only when there are unsaved edits and the page itself changes (not ?tab=). */
export function leaveNeedsAsking(dirty: boolean, from: { pathname: string }, to: { pathname: string }): boolean {
  return dirty && from.pathname !== to.pathname;
}
