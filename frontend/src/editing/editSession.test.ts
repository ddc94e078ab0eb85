import { describe, expect, it } from 'vitest';
import {
  isDirty,
  leaveNeedsAsking,
  rebaseFields,
  sessionEdit,
  sessionKeepMine,
  sessionRefused,
  sessionReload,
  sessionSaved,
  sessionServerChanged,
  sessionStart,
  type SessionModel,
} from './editSession';

interface Server {
  etag: string;
  name: string;
  description: string;
  tags: string[];
  status?: string;
}
type Draft = Pick<Server, 'name' | 'description' | 'tags'>;

const model: SessionModel<Server, Draft> = {
  toDraft: ({ name, description, tags }) => ({ name, description, tags }),
  etagOf: (s) => s.etag,
  stampOf: (s) => `${s.etag}|${s.status ?? ''}`,
};
const v1: Server = { etag: '"1"', name: 'Scale', description: 'old', tags: ['a'] };

describe('edit session: dirty', () => {
  it('is clean as loaded, dirty after a change, clean again when changed back', () => {
    const start = sessionStart(model, v1);
    expect(isDirty(model, start)).toBe(false);
    const edited = sessionEdit(start, { ...start.draft, name: 'Scale!' });
    expect(isDirty(model, edited)).toBe(true);
    expect(isDirty(model, sessionEdit(edited, { ...edited.draft, name: 'Scale' }))).toBe(false);
    expect(isDirty(model, sessionEdit(start, { ...start.draft, tags: ['a'] }))).toBe(false); // same content
  });
});

describe('edit session: a new server state', () => {
  const v2: Server = { ...v1, etag: '"2"', description: 'theirs' };

  it('becomes the base and the draft when nothing is edited', () => {
    const next = sessionServerChanged(model, sessionStart(model, v1), v2);
    expect(next.base).toBe(v2);
    expect(next.draft.description).toBe('theirs');
    expect(next.remoteChanged).toBe(false);
  });

  it('under edits, with a new ETag, keeps the draft and says so', () => {
    const edited = sessionEdit(sessionStart(model, v1), { ...v1, name: 'mine' });
    const next = sessionServerChanged(model, edited, v2);
    expect(next.base).toBe(v1);
    expect(next.draft.name).toBe('mine');
    expect(next.remoteChanged).toBe(true);
  });

  it('under edits, when it already says what the draft says (my own save echoed), is taken quietly', () => {
    const edited = sessionEdit(sessionStart(model, v1), { ...model.toDraft(v1), description: 'theirs' });
    const next = sessionServerChanged(model, edited, v2);
    expect(next.base).toBe(v2);
    expect(next.remoteChanged).toBe(false);
  });

  it('with the same ETag (a status, a run) updates the base and keeps the draft', () => {
    const edited = sessionEdit(sessionStart(model, v1), { ...model.toDraft(v1), name: 'mine' });
    const flipped = { ...v1, status: 'OutOfDate' };
    const next = sessionServerChanged(model, edited, flipped);
    expect(next.base).toBe(flipped);
    expect(next.draft.name).toBe('mine');
    expect(next.remoteChanged).toBe(false);
    expect(sessionServerChanged(model, next, flipped)).toBe(next); // nothing new
  });

  it('counts edits kept outside the draft (a diagram)', () => {
    const start = sessionStart(model, v1);
    const next = sessionServerChanged(model, start, v2, { dirty: true, matches: () => false });
    expect(next.remoteChanged).toBe(true);
    const sameFields = { ...v1, etag: '"2"' };
    expect(sessionServerChanged(model, start, sameFields, { dirty: true, matches: () => true }).base).toBe(sameFields);
  });
});

describe('edit session: saving, 412, keep mine, reload', () => {
  const theirs: Server = { etag: '"3"', name: 'Scale', description: 'theirs', tags: ['b'] };

  it('a save makes its result the base; a 412 keeps the draft', () => {
    const edited = sessionEdit(sessionStart(model, v1), { ...model.toDraft(v1), name: 'mine' });
    const refused = sessionRefused(edited);
    expect(refused.conflict).toBe(true);
    expect(refused.draft.name).toBe('mine');
    const saved = sessionSaved(model, refused, { ...v1, etag: '"2"', name: 'mine' });
    expect(saved.conflict).toBe(false);
    expect(isDirty(model, saved)).toBe(false);
    expect(model.etagOf(saved.base)).toBe('"2"');
  });

  it('keep mine replays my fields on theirs and takes their ETag', () => {
    const edited = sessionRefused(sessionEdit(sessionStart(model, v1), { ...model.toDraft(v1), name: 'mine' }));
    const kept = sessionKeepMine(model, edited, theirs);
    expect(kept.draft).toEqual({ name: 'mine', description: 'theirs', tags: ['b'] });
    expect(kept.base).toBe(theirs);
    expect(kept.conflict).toBe(false);
    expect(kept.remoteChanged).toBe(false);
    expect(isDirty(model, kept)).toBe(true);
  });

  it('keep mine: a field both changed is mine; a custom rebase is used when given', () => {
    const edited = sessionEdit(sessionStart(model, v1), { ...model.toDraft(v1), description: 'mine' });
    expect(sessionKeepMine(model, edited, theirs).draft.description).toBe('mine');
    const theirsWins: SessionModel<Server, Draft> = { ...model, rebase: (_m, _b, t) => t };
    expect(sessionKeepMine(theirsWins, edited, theirs).draft.description).toBe('theirs');
  });

  it('reload drops my edits', () => {
    const edited = sessionEdit(sessionStart(model, v1), { ...model.toDraft(v1), name: 'mine' });
    const reloaded = sessionReload(model, theirs);
    expect(reloaded.draft.name).toBe('Scale');
    expect(isDirty(model, reloaded)).toBe(false);
    expect(edited.draft.name).toBe('mine'); // pure
  });

  it('rebaseFields compares by content', () => {
    expect(rebaseFields({ a: [1], b: 2 }, { a: [1], b: 1 }, { a: [9], b: 1 })).toEqual({ a: [9], b: 2 });
  });
});

describe('leaving', () => {
  it('asks only with unsaved edits and only when the page changes', () => {
    expect(leaveNeedsAsking(true, { pathname: '/modules/1' }, { pathname: '/modules' })).toBe(true);
    expect(leaveNeedsAsking(true, { pathname: '/modules/1' }, { pathname: '/modules/1' })).toBe(false); // ?tab=
    expect(leaveNeedsAsking(false, { pathname: '/modules/1' }, { pathname: '/modules' })).toBe(false);
  });
});
