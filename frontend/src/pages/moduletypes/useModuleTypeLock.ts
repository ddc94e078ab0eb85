import { useCallback } from 'react';
import { useEditLock } from '../../api/hooks/useEditLock';
import { lockOfEvent } from '../../live/editLock';
import { otherViewers, usePresence } from '../../live/presence';
import type { LiveEvent } from '../../live/socket';
import { useTopic } from '../../live/useTopic';

/**
 * The Version Editor's hold on its module type: the edit lock (taken while `enabled`, renewed, released
 * on leaving; `lock` events of `module-type:<id>` say when someone else takes or breaks it) and who
 * else has the type open (`presence:module-type:<id>`).
 */
export function useModuleTypeLock(moduleTypeId: number, enabled: boolean, me: string | undefined) {
  const lock = useEditLock('module-types', moduleTypeId, enabled);
  const { onLockEvent, retake } = lock;
  const mine = lock.state.kind === 'mine';
  useTopic(
    enabled ? `module-type:${moduleTypeId}` : null,
    useCallback(
      (event: LiveEvent) => {
        const holder = lockOfEvent(event);
        if (holder !== undefined) onLockEvent(holder, me);
      },
      [onLockEvent, me],
    ),
    // Missed events: renewing says whether the lock is still ours.
    useCallback(() => {
      if (mine) void retake();
    }, [mine, retake]),
  );
  const viewers = otherViewers(usePresence('module-type', moduleTypeId), me);
  return { ...lock, viewers };
}
