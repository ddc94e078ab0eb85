/**
 * Fetch wrapper for the ModuleBench JSON API.
 *
 * - Session auth: `credentials: 'same-origin'`; on every unsafe method the `X-CSRFToken` header carries
 *   the `csrftoken` cookie, read fresh before each request (Django rotates it at login).
 * - Errors are always thrown as {@link ApiError} (`status`, `code`, `message`, `details`).
 * - A 401 calls the handler set with {@link setUnauthorizedHandler} (the app turns it into "go to /login"),
 *   unless the request opts out with `skipUnauthorizedHandler` (login, the `/api/me` probe).
 * - ETags: {@link apiRequest} returns the response's `ETag`; writes can send `If-Match`.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const CSRF_COOKIE_NAME = 'csrftoken';
export const CSRF_HEADER_NAME = 'X-CSRFToken';

/** Error of any API call. `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Value of cookie `name` in a `document.cookie`-style string, or null. */
export function getCookie(name: string, cookieString: string): string | null {
  if (!cookieString) return null;
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    if (key !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return null;
}

/** The current CSRF token (read from `document.cookie` each time). */
export function getCsrfToken(): string | null {
  if (typeof document === 'undefined') return null;
  return getCookie(CSRF_COOKIE_NAME, document.cookie);
}

/** GET, HEAD and OPTIONS need no CSRF token (RFC 9110 "safe" methods). */
export function isSafeMethod(method: string): boolean {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' || m === 'OPTIONS';
}

function defaultCodeForStatus(status: number): string {
  switch (status) {
    case 0:
      return 'network_error';
    case 400:
      return 'bad_request';
    case 401:
      return 'not_authenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition_failed';
    case 413:
      return 'too_large';
    case 429:
      return 'throttled';
    default:
      return status >= 500 ? 'server_error' : `http_${status}`;
  }
}

function defaultMessageForStatus(status: number, statusText: string): string {
  if (status === 0) return 'The server could not be reached.';
  if (status >= 500) return `Server error (${status}${statusText ? ` ${statusText}` : ''}).`;
  return `Request failed (${status}${statusText ? ` ${statusText}` : ''}).`;
}

/**
 * Build an {@link ApiError} from an error response. `body` is the parsed JSON body when there is one,
 * else the raw text (or null). Bodies that do not follow `{code, message, details}` (an HTML 502 page
 * from a proxy, a bare DRF `{detail}`) still give a usable error.
 */
export function parseApiError(status: number, statusText: string, body: unknown): ApiError {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const code = typeof b.code === 'string' && b.code ? b.code : defaultCodeForStatus(status);
    let message: string | null = null;
    if (typeof b.message === 'string' && b.message) message = b.message;
    else if (typeof b.detail === 'string' && b.detail) message = b.detail;
    const details = 'details' in b ? (b.details ?? null) : null;
    return new ApiError(status, code, message ?? defaultMessageForStatus(status, statusText), details);
  }
  return new ApiError(status, defaultCodeForStatus(status), defaultMessageForStatus(status, statusText), null);
}

type QueryValue = string | number | boolean | null | undefined;

/** Append a query string, skipping null/undefined values. */
export function buildUrl(path: string, query?: Record<string, QueryValue | QueryValue[]>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, raw] of Object.entries(query)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      if (v === null || v === undefined) continue;
      params.append(key, String(v));
    }
  }
  const qs = params.toString();
  if (!qs) return path;
  return path + (path.includes('?') ? '&' : '?') + qs;
}

export interface RequestOptions {
  /** JSON-serialisable body, or FormData / Blob / string sent as is. */
  body?: unknown;
  query?: Record<string, QueryValue | QueryValue[]>;
  /** Sends `If-Match` (optimistic concurrency; a stale value gets 412). */
  ifMatch?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Non-2xx statuses whose body is returned as data instead of thrown (e.g. 503 from /api/health). */
  allowStatus?: number[];
  /** Do not call the global 401 handler (login form, the session probe). */
  skipUnauthorizedHandler?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
  /** The response's `ETag` header, if any. */
  etag: string | null;
}

/** Endpoint fetched to obtain a `csrftoken` cookie when none is present (see {@link ensureCsrfToken}). */
export const CSRF_PRIME_PATH = '/api/me';
let csrfPriming: Promise<void> | null = null;

/**
 * The CSRF token, fetching `GET /api/me` once first if there is no cookie yet. Django sets the cookie
 * when it serves the SPA's index; under the Vite dev server (which serves index.html itself) the first
 * API response has to set it instead.
 */
export async function ensureCsrfToken(): Promise<string | null> {
  const existing = getCsrfToken();
  if (existing) return existing;
  if (!csrfPriming) {
    csrfPriming = fetch(CSRF_PRIME_PATH, {
      method: 'GET',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        csrfPriming = null;
      });
  }
  await csrfPriming;
  return getCsrfToken();
}

type UnauthorizedHandler = (error: ApiError) => void;
let unauthorizedHandler: UnauthorizedHandler | null = null;

/** Register what happens when any call gets a 401 (the session ended). Returns the previous handler. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): UnauthorizedHandler | null {
  const previous = unauthorizedHandler;
  unauthorizedHandler = handler;
  return previous;
}

function isRawBody(body: unknown): body is BodyInit {
  return (
    typeof body === 'string' ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) ||
    body instanceof ArrayBuffer
  );
}

async function readBody(response: Response, method: string): Promise<unknown> {
  if (method === 'HEAD' || response.status === 204 || response.status === 205 || response.status === 304) {
    return null;
  }
  const text = await response.text();
  if (!text) return null;
  const contentType = response.headers.get('Content-Type') ?? '';
  if (contentType.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      if (response.ok) throw new ApiError(response.status, 'invalid_response', 'The server sent invalid JSON.');
      return text;
    }
  }
  return text;
}

/** Make one API request. Resolves with data + headers; rejects with {@link ApiError}. */
export async function apiRequest<T = unknown>(
  method: HttpMethod,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const m = method.toUpperCase() as HttpMethod;
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    if (isRawBody(options.body)) {
      body = options.body; // the browser sets Content-Type (multipart boundary etc.)
    } else {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
  }
  if (!isSafeMethod(m)) {
    const token = await ensureCsrfToken();
    if (token) headers[CSRF_HEADER_NAME] = token;
  }
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method: m,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if ((err as { name?: string } | null)?.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'The server could not be reached.', null);
  }

  const ok = response.ok || (options.allowStatus?.includes(response.status) ?? false);
  if (!ok) {
    let parsed: unknown = null;
    try {
      parsed = await readBody(response, m);
    } catch {
      parsed = null;
    }
    const error = parseApiError(response.status, response.statusText, parsed);
    if (response.status === 401 && !options.skipUnauthorizedHandler && unauthorizedHandler) {
      unauthorizedHandler(error);
    }
    throw error;
  }

  const data = (await readBody(response, m)) as T;
  return { data, status: response.status, headers: response.headers, etag: response.headers.get('ETag') };
}

export async function apiGet<T = unknown>(path: string, options?: Omit<RequestOptions, 'body'>): Promise<T> {
  return (await apiRequest<T>('GET', path, options)).data;
}

export async function apiPost<T = unknown>(
  path: string,
  body?: unknown,
  options?: Omit<RequestOptions, 'body'>,
): Promise<T> {
  return (await apiRequest<T>('POST', path, { ...options, body })).data;
}

export async function apiPut<T = unknown>(
  path: string,
  body?: unknown,
  options?: Omit<RequestOptions, 'body'>,
): Promise<T> {
  return (await apiRequest<T>('PUT', path, { ...options, body })).data;
}

export async function apiPatch<T = unknown>(
  path: string,
  body?: unknown,
  options?: Omit<RequestOptions, 'body'>,
): Promise<T> {
  return (await apiRequest<T>('PATCH', path, { ...options, body })).data;
}

export async function apiDelete<T = null>(path: string, options?: Omit<RequestOptions, 'body'>): Promise<T> {
  return (await apiRequest<T>('DELETE', path, options)).data;
}
