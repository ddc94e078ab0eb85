import type { PresenceViewer } from '../api/types';

/** "Also viewing: Ada Admin, …" under an editor's header; nothing while nobody else has it open. */
export function AlsoViewing({ viewers }: { viewers: PresenceViewer[] }) {
  if (viewers.length === 0) return null;
  return (
    <p className="muted mod-presence" data-testid="presence">
      Also viewing: {viewers.map((v) => v.user_name || v.user).join(', ')}
    </p>
  );
}
