import { describe, expect, it } from 'vitest';
import { otherViewers, presenceTopic } from './presence';

describe('presence', () => {
  it('names the topic of an object', () => {
    expect(presenceTopic('module', 4)).toBe('presence:module:4');
    expect(presenceTopic('module-type', 2)).toBe('presence:module-type:2');
  });

  it('lists other viewers once each, not me', () => {
    const v = (user: string) => ({ user, user_name: user.toUpperCase(), since: '' });
    expect(otherViewers([v('me'), v('ann'), v('bob'), v('ann')], 'me').map((x) => x.user)).toEqual(['ann', 'bob']);
  });
});
