/** A fetch stub for screen tests: routes "METHOD /path" (query apart) to replies and records the calls. */
import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

export type Reply = (call: Call) => Response | Promise<Response>;

/** A JSON reply (`null` body: none), with extra headers such as an ETag. */
export function reply(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: body === null ? headers : { 'Content-Type': 'application/json', ...headers },
  });
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body ?? null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** A JSON reply carrying an ETag. */
export function withEtag(status: number, body: unknown, etag: string): Response {
  return reply(status, body, { ETag: etag });
}

/** Stubs global fetch with `routes`; unknown routes get a 404 JSON error. Returns the calls made, in order. */
export function stubApi(routes: Record<string, Reply>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(String(input), 'http://test');
      const method = (init.method ?? 'GET').toUpperCase();
      const call: Call = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: (init.headers ?? {}) as Record<string, string>,
        body: parseBody(init.body),
      };
      calls.push(call);
      const route = routes[`${method} ${url.pathname}`];
      return route ? route(call) : reply(404, { code: 'not_found', message: `No stub for ${method} ${url.pathname}`, details: null });
    }),
  );
  return calls;
}
