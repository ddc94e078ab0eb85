import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../client';
import { FakeXhr } from '../../test/fakeXhr';
import { importFields, uploadCsv } from './useImportCsv';

const file = new File(['a,b\n1,2\n'], 'data.csv', { type: 'text/csv' });

async function started(promise: Promise<unknown>, xhr: FakeXhr) {
  // uploadCsv awaits the CSRF token before opening the request.
  for (let i = 0; i < 10 && !xhr.body; i++) await Promise.resolve();
  void promise;
}

afterEach(() => {
  document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
});

describe('importFields', () => {
  it('sends mode and name for a new version, only the version to add rows to', () => {
    expect(importFields({ mode: 'replace', versionName: '  ' })).toEqual({ mode: 'replace' });
    expect(importFields({ mode: 'append', versionName: ' Q2 ' })).toEqual({ mode: 'append', version_name: 'Q2' });
    expect(importFields({ mode: 'into', version: 0, versionName: 'ignored' })).toEqual({ version: '0' });
    expect(() => importFields({ mode: 'into', version: null })).toThrow('Choose the version');
  });
});

describe('uploadCsv', () => {
  it('posts the file as a text/csv body with the options in the query, CSRF and credentials, reports progress, resolves with the version', async () => {
    document.cookie = 'csrftoken=tok123';
    const xhr = new FakeXhr();
    const progress: unknown[] = [];
    const promise = uploadCsv(
      { datasetId: 4, file, mode: 'append', versionName: 'more' },
      { createXhr: () => xhr, onProgress: (p) => progress.push(p) },
    );
    await started(promise, xhr);
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('/api/datasets/4/import?mode=append&version_name=more');
    expect(xhr.withCredentials).toBe(true);
    expect(xhr.headers['X-CSRFToken']).toBe('tok123');
    expect(xhr.headers['Content-Type']).toBe('text/csv');
    expect(xhr.body).toBe(file);
    xhr.upload.onprogress?.({ loaded: 5, total: 10, lengthComputable: true });
    xhr.upload.onprogress?.({ loaded: 7, total: 0, lengthComputable: false });
    expect(progress).toEqual([
      { loaded: 5, total: 10 },
      { loaded: 7, total: null },
    ]);
    xhr.respond(201, { number: 1, row_count: 2 });
    await expect(promise).resolves.toEqual({ number: 1, row_count: 2 });
  });

  it('rejects a bad CSV with an ApiError carrying the problems', async () => {
    document.cookie = 'csrftoken=t';
    const xhr = new FakeXhr();
    const promise = uploadCsv({ datasetId: 4, file, mode: 'replace' }, { createXhr: () => xhr });
    await started(promise, xhr);
    xhr.respond(400, {
      code: 'bad_csv',
      message: 'The CSV does not fit the dataset type (row 2, column year: bad); nothing was imported.',
      details: { errors: [{ row: 2, column: 'year', reason: 'bad' }] },
    });
    const error = (await promise.catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('bad_csv');
    expect(error.details).toEqual({ errors: [{ row: 2, column: 'year', reason: 'bad' }] });
  });

  it('turns a network failure into an ApiError and a cancel into an AbortError', async () => {
    document.cookie = 'csrftoken=t';
    const failing = new FakeXhr();
    const failed = uploadCsv({ datasetId: 4, file, mode: 'replace' }, { createXhr: () => failing });
    await started(failed, failing);
    failing.onerror?.();
    await expect(failed).rejects.toMatchObject({ status: 0, code: 'network_error' });

    const controller = new AbortController();
    const cancelled = new FakeXhr();
    const promise = uploadCsv(
      { datasetId: 4, file, mode: 'replace' },
      { createXhr: () => cancelled, signal: controller.signal },
    );
    await started(promise, cancelled);
    controller.abort();
    expect(cancelled.aborted).toBe(true);
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
  });
});
