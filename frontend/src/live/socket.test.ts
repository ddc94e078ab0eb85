import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../test/fakeWebSocket';
import { backoffDelay, classifySeq, LiveSocket, parseServerMessage, wsUrlFor, type LiveEvent } from './socket';

const sub = (topic: string) => ({ action: 'subscribe', topic });
const unsub = (topic: string) => ({ action: 'unsubscribe', topic });

function makeSocket(extra: Partial<ConstructorParameters<typeof LiveSocket>[0]> = {}) {
  return new LiveSocket({
    url: 'ws://test/ws/',
    createSocket: (url) => new FakeWebSocket(url),
    baseDelayMs: 500,
    maxDelayMs: 10_000,
    logger: { error: () => {} },
    ...extra,
  });
}

describe('pure helpers', () => {
  it('backoff doubles from 0.5s and caps at 10s', () => {
    const schedule = Array.from({ length: 8 }, (_, i) => backoffDelay(i));
    expect(schedule).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(backoffDelay(1000)).toBe(10_000);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 500 })).toBe(500);
  });

  it('jitter only shortens the delay, within bounds', () => {
    expect(backoffDelay(2, { jitter: 0.5, random: () => 0 })).toBe(2000);
    expect(backoffDelay(2, { jitter: 0.5, random: () => 1 })).toBe(1000);
  });

  it('builds the ws URL from the page protocol', () => {
    expect(wsUrlFor({ protocol: 'http:', host: 'localhost:8000' })).toBe('ws://localhost:8000/ws/');
    expect(wsUrlFor({ protocol: 'https:', host: 'mb.example.org' })).toBe('wss://mb.example.org/ws/');
  });

  it('classifies sequence numbers', () => {
    expect(classifySeq(null, 5)).toBe('first');
    expect(classifySeq(4, 5)).toBe('next');
    expect(classifySeq(4, 7)).toBe('gap');
    expect(classifySeq(4, 4)).toBe('duplicate');
    expect(classifySeq(4, 2)).toBe('duplicate');
  });

  it('parses control messages and events', () => {
    expect(parseServerMessage('{"type":"subscribed","topic":"modules","seq":3}')).toEqual({
      kind: 'subscribed',
      topic: 'modules',
      seq: 3,
    });
    expect(parseServerMessage({ type: 'unsubscribed', topic: 'modules' })).toEqual({
      kind: 'unsubscribed',
      topic: 'modules',
    });
    expect(
      parseServerMessage({ type: 'subscribe_error', topic: 'run:1', code: 'forbidden', message: 'No access.' }),
    ).toEqual({ kind: 'subscribe_error', topic: 'run:1', code: 'forbidden', message: 'No access.' });
    expect(parseServerMessage({ topic: 'run:1', seq: 2, type: 'progress', data: { rows: 10 } })).toEqual({
      kind: 'event',
      event: { topic: 'run:1', seq: 2, type: 'progress', data: { rows: 10 } },
    });
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage({ type: 'progress', topic: 'run:1' })).toBeNull(); // event without seq
    expect(parseServerMessage({ seq: 1 })).toBeNull();
  });
});

describe('LiveSocket', () => {
  beforeEach(() => {
    FakeWebSocket.reset();
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connects to the URL and reports status', () => {
    const live = makeSocket();
    const statuses: string[] = [];
    live.onStatusChange(() => statuses.push(live.status));
    expect(live.status).toBe('offline');
    live.connect();
    expect(FakeWebSocket.latest().url).toBe('ws://test/ws/');
    expect(live.status).toBe('connecting');
    FakeWebSocket.latest().serverOpen();
    expect(live.status).toBe('open');
    live.disconnect();
    expect(live.status).toBe('offline');
    expect(statuses).toEqual(['connecting', 'open', 'offline']);
    expect(FakeWebSocket.latest().closedWith).toBe(1000);
  });

  it('reference-counts subscriptions: one server subscription per topic', () => {
    const live = makeSocket();
    live.connect();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();

    const offA = live.subscribe('module:12', {});
    const offB = live.subscribe('module:12', {});
    expect(ws.takeSent()).toEqual([sub('module:12')]);
    expect(live.subscriberCount('module:12')).toBe(2);

    offA();
    offA(); // idempotent
    expect(ws.takeSent()).toEqual([]);
    expect(live.subscriberCount('module:12')).toBe(1);

    offB();
    expect(ws.takeSent()).toEqual([unsub('module:12')]);
    expect(live.subscriberCount('module:12')).toBe(0);
    expect(live.activeTopics()).toEqual([]);
  });

  it('subscribes topics registered before the connection opened', () => {
    const live = makeSocket();
    live.subscribe('modules', {});
    live.subscribe('run:7', {});
    live.connect();
    const ws = FakeWebSocket.latest();
    expect(ws.sent).toEqual([]); // nothing sent while connecting
    ws.serverOpen();
    expect(ws.takeSent()).toEqual([sub('modules'), sub('run:7')]);
  });

  it('does not send unsubscribe for a topic never sent', () => {
    const live = makeSocket();
    const off = live.subscribe('modules', {});
    off();
    live.connect();
    FakeWebSocket.latest().serverOpen();
    expect(FakeWebSocket.latest().sent).toEqual([]);
  });

  it('delivers events to every subscriber of the topic only', () => {
    const live = makeSocket();
    live.connect();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    const a: LiveEvent[] = [];
    const b: LiveEvent[] = [];
    const c: LiveEvent[] = [];
    live.subscribe('module:1', { onEvent: (e) => a.push(e) });
    live.subscribe('module:1', { onEvent: (e) => b.push(e) });
    live.subscribe('module:2', { onEvent: (e) => c.push(e) });
    ws.serverSend({ type: 'subscribed', topic: 'module:1', seq: 0 });
    ws.serverSend({ type: 'subscribed', topic: 'module:2', seq: 0 });
    ws.serverSend({ topic: 'module:1', seq: 1, type: 'status_changed', data: { status: 'OutOfDate' } });
    expect(a).toEqual([{ topic: 'module:1', seq: 1, type: 'status_changed', data: { status: 'OutOfDate' } }]);
    expect(b).toHaveLength(1);
    expect(c).toHaveLength(0);
    // events for topics nobody holds are ignored
    ws.serverSend({ topic: 'module:99', seq: 1, type: 'x', data: {} });
  });

  it('detects gaps in seq and drops duplicates', () => {
    const live = makeSocket();
    live.connect();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    const seen: number[] = [];
    const gaps: string[] = [];
    const gaps2: string[] = [];
    live.subscribe('run:7', { onEvent: (e) => seen.push(e.seq), onGap: (t) => gaps.push(t) });
    live.subscribe('run:7', { onGap: (t) => gaps2.push(t) });
    ws.serverSend({ type: 'subscribed', topic: 'run:7', seq: 4 });
    expect(live.lastSeq('run:7')).toBe(4);
    ws.serverSend({ topic: 'run:7', seq: 5, type: 'progress', data: {} });
    ws.serverSend({ topic: 'run:7', seq: 6, type: 'progress', data: {} });
    expect(gaps).toEqual([]);
    ws.serverSend({ topic: 'run:7', seq: 9, type: 'progress', data: {} }); // 7, 8 missed
    expect(gaps).toEqual(['run:7']);
    expect(gaps2).toEqual(['run:7']); // every subscriber is told
    ws.serverSend({ topic: 'run:7', seq: 9, type: 'progress', data: {} }); // duplicate
    ws.serverSend({ topic: 'run:7', seq: 10, type: 'progress', data: {} });
    expect(seen).toEqual([5, 6, 9, 10]);
    expect(gaps).toEqual(['run:7']);
    expect(live.lastSeq('run:7')).toBe(10);
  });

  it('the first subscription of a topic is not a gap, whatever its seq', () => {
    const live = makeSocket();
    live.connect();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    const onGap = vi.fn();
    live.subscribe('modules', { onGap });
    ws.serverSend({ type: 'subscribed', topic: 'modules', seq: 42 });
    ws.serverSend({ topic: 'modules', seq: 43, type: 'module_created', data: {} });
    expect(onGap).not.toHaveBeenCalled();
  });

  it('reconnects with backoff 0.5s, 1s, 2s, … capped at 10s, and resets after success', () => {
    const live = makeSocket();
    live.connect();
    FakeWebSocket.latest().serverClose(1006); // fails before opening
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = FakeWebSocket.instances.length;
      const due = live.nextRetryAt! - Date.now();
      delays.push(due);
      vi.advanceTimersByTime(due - 1);
      expect(FakeWebSocket.instances.length).toBe(before); // not yet
      vi.advanceTimersByTime(1);
      expect(FakeWebSocket.instances.length).toBe(before + 1);
      expect(live.status).toBe('connecting');
      FakeWebSocket.latest().serverClose(1006);
      expect(live.status).toBe('offline');
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);

    vi.advanceTimersByTime(10_000);
    FakeWebSocket.latest().serverOpen(); // success resets the schedule
    FakeWebSocket.latest().serverClose(1006);
    expect(live.nextRetryAt! - Date.now()).toBe(500);
  });

  it('re-subscribes every active topic after a reconnect and reports a gap when events were missed', () => {
    const live = makeSocket();
    live.connect();
    let ws = FakeWebSocket.latest();
    ws.serverOpen();
    const gapsA: string[] = [];
    const gapsB: string[] = [];
    const eventsA: number[] = [];
    live.subscribe('module:1', { onGap: (t) => gapsA.push(t), onEvent: (e) => eventsA.push(e.seq) });
    live.subscribe('module:2', { onGap: (t) => gapsB.push(t) });
    const offGone = live.subscribe('module:3', {});
    ws.serverSend({ type: 'subscribed', topic: 'module:1', seq: 3 });
    ws.serverSend({ type: 'subscribed', topic: 'module:2', seq: 8 });
    ws.serverSend({ type: 'subscribed', topic: 'module:3', seq: 0 });
    ws.serverSend({ topic: 'module:1', seq: 4, type: 'changed', data: {} });
    ws.takeSent();

    ws.serverClose(1006);
    offGone(); // left while offline: must not be re-subscribed, and no unsubscribe is sent
    vi.advanceTimersByTime(500);
    ws = FakeWebSocket.latest();
    expect(FakeWebSocket.instances).toHaveLength(2);
    ws.serverOpen();
    expect(ws.takeSent()).toEqual([sub('module:1'), sub('module:2')]);

    ws.serverSend({ type: 'subscribed', topic: 'module:1', seq: 6 }); // 5 and 6 were missed
    ws.serverSend({ type: 'subscribed', topic: 'module:2', seq: 8 }); // nothing missed
    expect(gapsA).toEqual(['module:1']);
    expect(gapsB).toEqual([]);
    ws.serverSend({ topic: 'module:1', seq: 7, type: 'changed', data: {} });
    expect(eventsA).toEqual([4, 7]);
    expect(gapsA).toEqual(['module:1']);
  });

  it('reports a gap after reconnect when the drop came before the first subscribed reply', () => {
    const live = makeSocket();
    live.connect();
    FakeWebSocket.latest().serverOpen();
    const onGap = vi.fn();
    live.subscribe('dataset:3', { onGap });
    FakeWebSocket.latest().serverClose(1006);
    vi.advanceTimersByTime(500);
    FakeWebSocket.latest().serverOpen();
    FakeWebSocket.latest().serverSend({ type: 'subscribed', topic: 'dataset:3', seq: 0 });
    expect(onGap).toHaveBeenCalledWith('dataset:3');
  });

  it('passes subscribe errors to the subscribers', () => {
    const live = makeSocket();
    live.connect();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    const onError = vi.fn();
    live.subscribe('project:2', { onError });
    ws.serverSend({ type: 'subscribe_error', topic: 'project:2', code: 'forbidden', message: 'No access.' });
    expect(onError).toHaveBeenCalledWith({ topic: 'project:2', code: 'forbidden', message: 'No access.' });
  });

  it('stops reconnecting when the server closes with 4401', () => {
    const onUnauthorized = vi.fn();
    const live = makeSocket({ onUnauthorized });
    live.connect();
    FakeWebSocket.latest().serverClose(4401);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(live.status).toBe('offline');
    expect(live.nextRetryAt).toBeNull();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    live.connect(); // e.g. after logging in again
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('does not reconnect after disconnect(), and ignores the old socket', () => {
    const live = makeSocket();
    live.connect();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    live.disconnect();
    ws.serverClose(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(live.status).toBe('offline');
  });

  it('reconnectNow skips the wait', () => {
    const live = makeSocket();
    live.connect();
    FakeWebSocket.latest().serverClose(1006);
    expect(FakeWebSocket.instances).toHaveLength(1);
    live.reconnectNow();
    expect(FakeWebSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(2); // the scheduled retry was cancelled
  });

  it('a throwing subscriber does not stop the others', () => {
    const live = makeSocket();
    live.connect();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    const ok = vi.fn();
    live.subscribe('modules', {
      onEvent: () => {
        throw new Error('boom');
      },
    });
    live.subscribe('modules', { onEvent: ok });
    ws.serverSend({ topic: 'modules', seq: 1, type: 'x', data: {} });
    expect(ok).toHaveBeenCalledTimes(1);
  });

  it('re-subscribing after unsubscribing starts a fresh sequence', () => {
    const live = makeSocket();
    live.connect();
    const ws = FakeWebSocket.latest();
    ws.serverOpen();
    const off = live.subscribe('run:1', {});
    ws.serverSend({ type: 'subscribed', topic: 'run:1', seq: 5 });
    off();
    const onGap = vi.fn();
    live.subscribe('run:1', { onGap });
    expect(ws.takeSent()).toEqual([sub('run:1'), unsub('run:1'), sub('run:1')]);
    ws.serverSend({ type: 'unsubscribed', topic: 'run:1' }); // reply to the old unsubscribe: ignored
    expect(live.subscriberCount('run:1')).toBe(1);
    ws.serverSend({ type: 'subscribed', topic: 'run:1', seq: 9 });
    ws.serverSend({ topic: 'run:1', seq: 10, type: 'x', data: {} });
    expect(onGap).not.toHaveBeenCalled();
  });
});
