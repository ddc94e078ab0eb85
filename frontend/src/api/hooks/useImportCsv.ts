import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, CSRF_HEADER_NAME, ensureCsrfToken, parseApiError } from '../client';
import type { DatasetVersion, ImportMode } from '../types';
import { datasetQueryKey } from './useDataset';
import { datasetsQueryKey } from './useDatasets';
import { meQueryKey } from './useMe';

export interface ImportRequest {
  datasetId: number;
  file: Blob & { name?: string };
  mode: ImportMode;
  /** Name of the new version (`replace`/`append`); blank = the server's default. */
  versionName?: string;
  /** The non-final version to add rows to (`into`). */
  version?: number | null;
}

export interface UploadProgress {
  loaded: number;
  /** null when the browser cannot tell. */
  total: number | null;
}

/** The options of POST /api/datasets/{id}/import for a mode, sent as its query string (the server refuses unknown ones). */
export function importFields(request: Pick<ImportRequest, 'mode' | 'versionName' | 'version'>): Record<string, string> {
  if (request.mode === 'into') {
    if (request.version === null || request.version === undefined) {
      throw new Error('Choose the version to add rows to.');
    }
    return { version: String(request.version) };
  }
  const fields: Record<string, string> = { mode: request.mode };
  const name = request.versionName?.trim();
  if (name) fields.version_name = name;
  return fields;
}

/** The part of XMLHttpRequest the uploader uses (tests pass a fake). */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: Blob): void;
  abort(): void;
  withCredentials: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly responseText: string;
  getResponseHeader(name: string): string | null;
  upload: { onprogress: ((ev: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  createXhr?: () => XhrLike;
}

function parseBody(xhr: XhrLike): unknown {
  const text = xhr.responseText;
  if (!text) return null;
  if ((xhr.getResponseHeader('Content-Type') ?? '').includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * POST /api/datasets/{id}/import with XMLHttpRequest (fetch cannot report upload progress). The file
 * itself is the body (`Content-Type: text/csv`): the server streams it straight into the table,
 * which a multipart form would make it copy first.
 * Sends the session cookie and `X-CSRFToken` like the fetch client; rejects with {@link ApiError}
 * (400 `bad_csv` carries `details.errors: [{row, column, reason}]`), or an `AbortError` when cancelled.
 */
export async function uploadCsv(request: ImportRequest, options: UploadOptions = {}): Promise<DatasetVersion> {
  const query = new URLSearchParams(importFields(request)).toString();
  const token = await ensureCsrfToken();
  const xhr = options.createXhr ? options.createXhr() : (new XMLHttpRequest() as unknown as XhrLike);

  return new Promise<DatasetVersion>((resolve, reject) => {
    const { signal } = options;
    const aborted = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    if (signal?.aborted) {
      aborted();
      return;
    }
    const onAbortSignal = () => xhr.abort();
    signal?.addEventListener('abort', onAbortSignal, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbortSignal);

    xhr.open('POST', `/api/datasets/${request.datasetId}/import${query ? `?${query}` : ''}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'text/csv');
    if (token) xhr.setRequestHeader(CSRF_HEADER_NAME, token);
    xhr.upload.onprogress = (ev) => {
      options.onProgress?.({ loaded: ev.loaded, total: ev.lengthComputable ? ev.total : null });
    };
    xhr.onload = () => {
      done();
      const body = parseBody(xhr);
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as DatasetVersion);
      } else {
        reject(parseApiError(xhr.status, xhr.statusText, body));
      }
    };
    xhr.onerror = () => {
      done();
      reject(new ApiError(0, 'network_error', 'The server could not be reached.', null));
    };
    xhr.onabort = () => {
      done();
      aborted();
    };
    xhr.send(request.file);
  });
}

export interface ImportVariables extends ImportRequest {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

export function useImportCsv() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ onProgress, signal, ...request }: ImportVariables) => uploadCsv(request, { onProgress, signal }),
    onSuccess: (_version, { datasetId }) => {
      void queryClient.invalidateQueries({ queryKey: datasetQueryKey(datasetId) });
      void queryClient.invalidateQueries({ queryKey: datasetsQueryKey });
    },
    onError: (error) => {
      // The fetch client's global 401 handler does the same: the session ended → /login.
      if (error instanceof ApiError && error.status === 401) queryClient.setQueryData(meQueryKey, null);
    },
  });
}
