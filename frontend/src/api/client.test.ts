import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  apiDelete,
  apiGet,
  apiPatch,
  apiPost,
  apiRequest,
  buildUrl,
  getCookie,
  isSafeMethod,
  parseApiError,
  setUnauthorizedHandler,
} from './client';

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function clearCookies() {
  for (const part of document.cookie.split(';')) {
    const name = part.split('=')[0].trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

describe('getCookie', () => {
  it('finds a cookie among others', () => {
    expect(getCookie('csrftoken', 'sessionid=abc; csrftoken=tok123; theme=dark')).toBe('tok123');
  });
  it('returns null when missing or empty string', () => {
    expect(getCookie('csrftoken', 'sessionid=abc')).toBeNull();
    expect(getCookie('csrftoken', '')).toBeNull();
  });
  it('does not match a cookie whose name merely ends with the name', () => {
    expect(getCookie('csrftoken', 'xcsrftoken=bad; csrftoken=good')).toBe('good');
    expect(getCookie('csrftoken', 'xcsrftoken=bad')).toBeNull();
  });
  it('decodes values, strips quotes and keeps "=" inside values', () => {
    expect(getCookie('a', 'a=hello%20world')).toBe('hello world');
    expect(getCookie('a', 'a="quoted"')).toBe('quoted');
    expect(getCookie('a', 'a=x=y')).toBe('x=y');
    expect(getCookie('a', 'a=%E0%A4%A')).toBe('%E0%A4%A');
  });
});

describe('isSafeMethod', () => {
  it('treats GET/HEAD/OPTIONS as safe', () => {
    expect(['GET', 'head', 'OPTIONS'].map(isSafeMethod)).toEqual([true, true, true]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(isSafeMethod)).toEqual([false, false, false, false]);
  });
});

describe('parseApiError', () => {
  it('reads the {code, message, details} body', () => {
    const err = parseApiError(400, 'Bad Request', {
      code: 'invalid_credentials',
      message: 'Wrong username or password.',
      details: null,
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_credentials');
    expect(err.message).toBe('Wrong username or password.');
    expect(err.details).toBeNull();
  });
  it('keeps details (field errors)', () => {
    const err = parseApiError(400, '', { code: 'invalid', message: 'Bad input.', details: { name: ['Required.'] } });
    expect(err.details).toEqual({ name: ['Required.'] });
  });
  it('falls back for non-standard bodies', () => {
    expect(parseApiError(403, 'Forbidden', { detail: 'CSRF Failed' })).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: 'CSRF Failed',
    });
    const html = parseApiError(502, 'Bad Gateway', '<html>bad gateway</html>');
    expect(html.code).toBe('server_error');
    expect(html.message).toContain('502');
    expect(parseApiError(412, '', null).code).toBe('precondition_failed');
    expect(parseApiError(418, '', []).code).toBe('http_418');
  });
});

describe('buildUrl', () => {
  it('appends query parameters and skips empty ones', () => {
    expect(buildUrl('/api/datasets/3/rows', { version: 2, limit: 50, after: null })).toBe(
      '/api/datasets/3/rows?version=2&limit=50',
    );
    expect(buildUrl('/api/x?a=1', { b: 'c d' })).toBe('/api/x?a=1&b=c+d');
    expect(buildUrl('/api/x', { a: undefined })).toBe('/api/x');
    expect(buildUrl('/api/x', { id: [1, 2] })).toBe('/api/x?id=1&id=2');
  });
});

describe('apiRequest', () => {
  let fetchMock: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    clearCookies();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setUnauthorizedHandler(null);
    clearCookies();
  });

  function lastInit(): RequestInit & { headers: Record<string, string> } {
    return fetchMock.mock.calls.at(-1)![1];
  }

  it('GET sends credentials, no CSRF header, and parses JSON', async () => {
    document.cookie = 'csrftoken=tok1';
    fetchMock.mockResolvedValue(jsonResponse(200, { id: 1 }));
    await expect(apiGet('/api/me')).resolves.toEqual({ id: 1 });
    expect(fetchMock.mock.calls[0][0]).toBe('/api/me');
    const init = lastInit();
    expect(init.method).toBe('GET');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['X-CSRFToken']).toBeUndefined();
    expect(init.body).toBeUndefined();
  });

  it('POST sends a JSON body and the CSRF cookie read fresh each time', async () => {
    document.cookie = 'csrftoken=before';
    fetchMock.mockResolvedValueOnce(jsonResponse(200, { ok: 1 }));
    await apiPost('/api/auth/login', { username: 'u', password: 'p' });
    let init = lastInit();
    expect(init.method).toBe('POST');
    expect(init.headers['X-CSRFToken']).toBe('before');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual({ username: 'u', password: 'p' });

    document.cookie = 'csrftoken=rotated'; // Django rotates it at login
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await expect(apiPost('/api/auth/logout')).resolves.toBeNull();
    init = lastInit();
    expect(init.headers['X-CSRFToken']).toBe('rotated');
    expect(init.body).toBeUndefined();
    expect(init.headers['Content-Type']).toBeUndefined();
  });

  it('fetches a CSRF cookie first when there is none (dev server), once', async () => {
    fetchMock.mockImplementation(async (url: string) => {
      if (url === '/api/me') {
        document.cookie = 'csrftoken=primed';
        return jsonResponse(401, { code: 'not_authenticated', message: 'Log in.', details: null });
      }
      return jsonResponse(200, {});
    });
    await apiPost('/api/auth/login', { username: 'u', password: 'p' });
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual(['/api/me', '/api/auth/login']);
    expect(lastInit().headers['X-CSRFToken']).toBe('primed');
    await apiPost('/api/auth/logout');
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual(['/api/me', '/api/auth/login', '/api/auth/logout']);
  });

  it('sends CSRF on PATCH and DELETE, and If-Match when asked', async () => {
    document.cookie = 'csrftoken=t';
    fetchMock.mockResolvedValueOnce(jsonResponse(200, { name: 'x' }, { ETag: '"v2"' }));
    await apiPatch('/api/module-type-versions/4', { name: 'x' }, { ifMatch: '"v1"' });
    expect(lastInit().headers['If-Match']).toBe('"v1"');
    expect(lastInit().headers['X-CSRFToken']).toBe('t');
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await expect(apiDelete('/api/datasets/1')).resolves.toBeNull();
    expect(lastInit().method).toBe('DELETE');
    expect(lastInit().headers['X-CSRFToken']).toBe('t');
  });

  it('returns the ETag and headers of a GET', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { id: 4 }, { ETag: 'W/"abc"' }));
    const res = await apiRequest<{ id: number }>('GET', '/api/module-type-versions/4');
    expect(res.data).toEqual({ id: 4 });
    expect(res.etag).toBe('W/"abc"');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/json');
  });

  it('sends FormData untouched (multipart upload)', async () => {
    document.cookie = 'csrftoken=t';
    fetchMock.mockResolvedValue(jsonResponse(200, {}));
    const form = new FormData();
    form.append('file', new Blob(['a,b\n1,2\n']), 'x.csv');
    await apiPost('/api/datasets/1/import', form);
    expect(lastInit().body).toBe(form);
    expect(lastInit().headers['Content-Type']).toBeUndefined();
    expect(lastInit().headers['X-CSRFToken']).toBe('t');
  });

  it('throws ApiError with the server code and message', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(400, { code: 'invalid_credentials', message: 'Wrong username or password.', details: null }),
    );
    const err = await apiPost('/api/auth/login', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Wrong username or password.' });
  });

  it('turns network failures into ApiError status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(apiGet('/api/me')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('returns allowed error statuses as data (health 503)', async () => {
    fetchMock.mockResolvedValue(jsonResponse(503, { status: 'degraded', checks: {} }));
    const res = await apiRequest('GET', '/api/health', { allowStatus: [503] });
    expect(res.status).toBe(503);
    expect(res.data).toEqual({ status: 'degraded', checks: {} });
  });

  it('returns non-JSON bodies as text (CSV export)', async () => {
    fetchMock.mockResolvedValue(new Response('a,b\n1,2\n', { status: 200, headers: { 'Content-Type': 'text/csv' } }));
    await expect(apiGet('/api/datasets/1/export')).resolves.toBe('a,b\n1,2\n');
  });

  it('calls the unauthorized handler on 401 unless skipped', async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    fetchMock.mockImplementation(async () =>
      jsonResponse(401, { code: 'not_authenticated', message: 'Log in.', details: null }),
    );
    await expect(apiGet('/api/datasets/')).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0][0]).toBeInstanceOf(ApiError);
    await expect(apiGet('/api/me', { skipUnauthorizedHandler: true })).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledTimes(1);
    // 403 is not "session ended"
    fetchMock.mockImplementation(async () => jsonResponse(403, { code: 'forbidden', message: 'No.', details: null }));
    await expect(apiGet('/api/datasets/')).rejects.toMatchObject({ status: 403 });
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
