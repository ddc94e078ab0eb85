import { act, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeWebSocket } from '../test/fakeWebSocket';
import { LiveSocketContext } from './context';
import { LiveSocket } from './socket';
import { useLiveStatus, useTopic } from './useTopic';

function Watcher({ topic, label }: { topic: string | null; label: string }) {
  const [events, setEvents] = useState<string[]>([]);
  const [gaps, setGaps] = useState(0);
  useTopic<{ n: number }>(
    topic,
    (e) => setEvents((prev) => [...prev, `${e.type}:${e.data.n}`]),
    () => setGaps((g) => g + 1),
  );
  return (
    <div data-testid={label}>
      {events.join(',')}|gaps={gaps}
    </div>
  );
}

function Status() {
  return <span data-testid="status">{useLiveStatus()}</span>;
}

describe('useTopic', () => {
  let live: LiveSocket;
  beforeEach(() => {
    FakeWebSocket.reset();
    live = new LiveSocket({ url: 'ws://t/ws/', createSocket: (u) => new FakeWebSocket(u) });
  });

  it('subscribes once for two components, delivers events and gaps, unsubscribes with the last', () => {
    const view = (showB: boolean, topicA: string | null = 'module:5') => (
      <LiveSocketContext.Provider value={live}>
        <Status />
        <Watcher topic={topicA} label="a" />
        {showB && <Watcher topic="module:5" label="b" />}
      </LiveSocketContext.Provider>
    );
    const { rerender, unmount } = render(view(true));
    act(() => live.connect());
    const ws = FakeWebSocket.latest();
    act(() => ws.serverOpen());
    expect(screen.getByTestId('status')).toHaveTextContent('open');
    expect(ws.takeSent()).toEqual([{ action: 'subscribe', topic: 'module:5' }]);

    act(() => {
      ws.serverSend({ type: 'subscribed', topic: 'module:5', seq: 1 });
      ws.serverSend({ topic: 'module:5', seq: 2, type: 'changed', data: { n: 1 } });
      ws.serverSend({ topic: 'module:5', seq: 5, type: 'changed', data: { n: 2 } });
    });
    expect(screen.getByTestId('a')).toHaveTextContent('changed:1,changed:2|gaps=1');
    expect(screen.getByTestId('b')).toHaveTextContent('changed:1,changed:2|gaps=1');

    rerender(view(false));
    expect(ws.takeSent()).toEqual([]);
    rerender(view(false, null));
    expect(ws.takeSent()).toEqual([{ action: 'unsubscribe', topic: 'module:5' }]);
    unmount();
    expect(live.activeTopics()).toEqual([]);
  });
});
