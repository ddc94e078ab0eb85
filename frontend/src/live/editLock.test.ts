import { describe, expect, it } from 'vitest';
import { clockTime, lockHolderName, lockMessage, lockOfEvent } from './editLock';
import type { LiveEvent } from './socket';

const ev = (type: string, data: unknown): LiveEvent => ({ topic: 'module:1', seq: 1, type, data });

describe('edit lock wording', () => {
  it('names the holder and the local time', () => {
    const since = new Date(2024, 4, 1, 10, 42).toISOString();
    expect(clockTime(since)).toBe('10:42');
    expect(lockMessage({ user: 'modeler', user_name: 'Mona Modeler', since, expires_at: since })).toBe(
      'Being edited by Mona Modeler since 10:42',
    );
    expect(lockMessage({ user: 'modeler', user_name: '', since: 'bad', expires_at: '' })).toBe('Being edited by modeler');
    expect(lockHolderName({ user: 'modeler', user_name: '  ', since, expires_at: since })).toBe('modeler');
  });
});

describe('lock events', () => {
  it('reads the holder of a module’s or a module type’s lock event', () => {
    const lock = { user: 'admin', user_name: 'Ada Admin', since: 's', expires_at: 'e' };
    expect(lockOfEvent(ev('lock', { module: 1, lock }))).toEqual(lock);
    expect(lockOfEvent(ev('lock', { module_type: 3, lock }))).toEqual(lock);
    expect(lockOfEvent(ev('lock', { module: 1, lock: null }))).toBeNull();
    expect(lockOfEvent(ev('lock', { module: 1 }))).toBeUndefined();
    expect(lockOfEvent(ev('status', {}))).toBeUndefined();
  });
});
