import { createContext, useContext } from 'react';
import type { LiveSocket } from './socket';

export const LiveSocketContext = createContext<LiveSocket | null>(null);

/** The app's single live socket (provided by <LiveSocketProvider>). */
export function useLiveSocket(): LiveSocket {
  const socket = useContext(LiveSocketContext);
  if (!socket) throw new Error('useLiveSocket must be used inside <LiveSocketProvider>.');
  return socket;
}
