import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router-dom';
import { vi } from 'vitest';
import { LiveSocketProvider } from '../live/LiveSocketProvider';
import { LiveSocket } from '../live/socket';
import { createQueryClient, installUnauthorizedHandler } from '../queryClient';
import { routes } from '../routes';
import { FakeWebSocket } from './fakeWebSocket';

export type Handler = (init: RequestInit & { headers: Record<string, string> }) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: body === null ? {} : { 'Content-Type': 'application/json' },
  });
}

/** Stub global fetch with "METHOD /path" → handler; unknown routes get a 404 JSON error. */
export function mockApi(handlers: Record<string, Handler>) {
  const calls: { method: string; path: string; init: RequestInit & { headers: Record<string, string> } }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const path = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const typedInit = init as RequestInit & { headers: Record<string, string> };
    calls.push({ method, path, init: typedInit });
    const handler = handlers[`${method} ${path}`];
    if (!handler) return json(404, { code: 'not_found', message: `No mock for ${method} ${path}`, details: null });
    return handler(typedInit);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export function renderApp(path: string, options: { queryClient?: QueryClient } = {}) {
  FakeWebSocket.reset();
  const queryClient = options.queryClient ?? createQueryClient();
  installUnauthorizedHandler(queryClient);
  const socket = new LiveSocket({
    url: 'ws://test/ws/',
    createSocket: (url) => new FakeWebSocket(url),
    logger: { error: () => {} },
  });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const utils = render(
    <QueryClientProvider client={queryClient}>
      <LiveSocketProvider socket={socket}>
        <RouterProvider router={router} />
      </LiveSocketProvider>
    </QueryClientProvider>,
  );
  return { ...utils, router, queryClient, socket };
}
