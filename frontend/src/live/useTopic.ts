import { useEffect, useRef, useSyncExternalStore } from 'react';
import { useLiveSocket } from './context';
import type { LiveEvent, LiveStatus, SubscribeError } from './socket';

/**
 * Subscribe to a live topic while the component is mounted (`null`/`undefined` = no subscription).
 * The callbacks may change on every render without re-subscribing.
 * `onGap(topic)` means events were missed (seq jump, reconnect): refetch.
 */
export function useTopic<D = unknown>(
  topic: string | null | undefined,
  onEvent: (event: LiveEvent<D>) => void,
  onGap?: (topic: string) => void,
  onError?: (error: SubscribeError) => void,
): void {
  const socket = useLiveSocket();
  const callbacks = useRef({ onEvent, onGap, onError });
  useEffect(() => {
    callbacks.current = { onEvent, onGap, onError };
  });
  useEffect(() => {
    if (!topic) return;
    return socket.subscribe(topic, {
      onEvent: (event) => callbacks.current.onEvent(event as LiveEvent<D>),
      onGap: (t) => callbacks.current.onGap?.(t),
      onError: (e) => callbacks.current.onError?.(e),
    });
  }, [socket, topic]);
}

/**
 * `useTopic` over several topics at once (e.g. one per project); the list may change between renders
 * (subscriptions follow it). Events of every topic go to the same callbacks.
 */
export function useTopics<D = unknown>(
  topics: readonly string[],
  onEvent: (event: LiveEvent<D>) => void,
  onGap?: (topic: string) => void,
): void {
  const socket = useLiveSocket();
  const callbacks = useRef({ onEvent, onGap });
  useEffect(() => {
    callbacks.current = { onEvent, onGap };
  });
  const key = [...new Set(topics)].sort().join('\n');
  useEffect(() => {
    if (!key) return;
    const offs = key.split('\n').map((topic) =>
      socket.subscribe(topic, {
        onEvent: (event) => callbacks.current.onEvent(event as LiveEvent<D>),
        onGap: (t) => callbacks.current.onGap?.(t),
      }),
    );
    return () => offs.forEach((off) => off());
  }, [socket, key]);
}

/** 'open' | 'connecting' | 'offline', re-rendering on change. */
export function useLiveStatus(): LiveStatus {
  const socket = useLiveSocket();
  return useSyncExternalStore(
    (listener) => socket.onStatusChange(listener),
    () => socket.status,
    () => 'offline',
  );
}
