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

/** 'open' | 'connecting' | 'offline', re-rendering on change. */
export function useLiveStatus(): LiveStatus {
  const socket = useLiveSocket();
  return useSyncExternalStore(
    (listener) => socket.onStatusChange(listener),
    () => socket.status,
    () => 'offline',
  );
}
