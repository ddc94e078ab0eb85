import { useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { meQueryKey, useMe } from '../api/hooks/useMe';
import { LiveSocketContext } from './context';
import { LiveSocket, wsUrlFor } from './socket';

interface Props {
  children: ReactNode;
  /** Inject a socket (tests); by default one is created for `/ws/` on this origin. */
  socket?: LiveSocket;
}

/**
 * Provides the one LiveSocket of the app. It is connected while a user is signed in
 * (the WebSocket is authenticated by the session cookie) and closed otherwise.
 */
export function LiveSocketProvider({ children, socket }: Props) {
  const queryClient = useQueryClient();
  const [live] = useState(
    () =>
      socket ??
      new LiveSocket({
        url: () => wsUrlFor(window.location),
        baseDelayMs: 500,
        maxDelayMs: 10_000,
        jitter: 0.2,
        // 4401: the session is gone; re-probe /api/me, which sends the user to /login if so.
        onUnauthorized: () => void queryClient.invalidateQueries({ queryKey: meQueryKey }),
      }),
  );
  const { data: me } = useMe();
  const userId = me?.id ?? null;

  useEffect(() => {
    if (userId === null) {
      live.disconnect();
      return;
    }
    live.connect();
    return () => live.disconnect();
  }, [live, userId]);

  useEffect(() => {
    const retry = () => live.reconnectNow();
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, [live]);

  return <LiveSocketContext.Provider value={live}>{children}</LiveSocketContext.Provider>;
}
