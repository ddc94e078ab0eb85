import { useLiveStatus } from '../live/useTopic';

const TEXT = { open: 'live', connecting: 'connecting', offline: 'offline' } as const;
const TITLE = {
  open: 'Live updates are on.',
  connecting: 'Connecting to live updates…',
  offline: 'Live updates are off; reconnecting automatically.',
} as const;

export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span className={`live-status live-${status}`} data-testid="live-status" title={TITLE[status]} aria-live="polite">
      <span className="live-dot" aria-hidden="true" />
      {TEXT[status]}
    </span>
  );
}
