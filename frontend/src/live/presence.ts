/** Who else has an object open: topic `presence:<kind>:<id>` (docs/modules-api.md). */
import { useState } from 'react';
import type { PresenceViewer } from '../api/types';
import { useTopic } from './useTopic';

export type PresenceKind = 'module' | 'module-type';

export function presenceTopic(kind: PresenceKind, id: number): string {
  return `presence:${kind}:${id}`;
}

/** The object's viewers as the presence topic last listed them (me included). */
export function usePresence(kind: PresenceKind, id: number): PresenceViewer[] {
  const [viewers, setViewers] = useState<PresenceViewer[]>([]);
  useTopic<{ viewers?: PresenceViewer[] }>(Number.isFinite(id) ? presenceTopic(kind, id) : null, (event) => {
    if (event.type === 'presence' && Array.isArray(event.data?.viewers)) setViewers(event.data.viewers);
  });
  return viewers;
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
