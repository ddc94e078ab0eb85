import { useRef, useState, type FormEvent } from 'react';
import { useDatasetVersions } from '../../api/hooks/useDatasetVersions';
import { useImportCsv, type UploadProgress } from '../../api/hooks/useImportCsv';
import type { ImportMode, ImportProgressEvent } from '../../api/types';
import { errorMessage } from '../../components/ErrorPanel';
import { ProgressBar } from '../../components/ProgressBar';
import { formatBytes, formatCount } from '../../format';
import { useTopic } from '../../live/useTopic';
import { CsvProblems } from './CsvProblems';
import { csvProblems } from './errors';

const MODES: { mode: ImportMode; label: string }[] = [
  { mode: 'replace', label: 'New version replacing all rows' },
  { mode: 'append', label: 'New version appending to the latest final version' },
  { mode: 'into', label: 'Add rows to a non-final version' },
];

function isAbort(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError';
}

/** Upload a CSV with a progress bar (bytes sent) and the server's progress (live `import_progress`). */
export function ImportSection({ datasetId, columns }: { datasetId: number; columns: string[] }) {
  const versions = useDatasetVersions(datasetId);
  const nonFinal = (versions.data ?? []).filter((v) => !v.is_final);
  const hasFinal = (versions.data ?? []).some((v) => v.is_final);
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const [mode, setMode] = useState<ImportMode>('replace');
  const [versionName, setVersionName] = useState('');
  const [target, setTarget] = useState('');
  const [sent, setSent] = useState<UploadProgress | null>(null);
  const [server, setServer] = useState<ImportProgressEvent | null>(null);
  const abort = useRef<AbortController | null>(null);
  const importCsv = useImportCsv();

  useTopic<ImportProgressEvent>(`dataset:${datasetId}`, (event) => {
    if (event.type === 'import_progress' && importCsv.isPending) setServer(event.data);
  });

  const targetVersion = target !== '' ? Number(target) : (nonFinal[nonFinal.length - 1]?.number ?? null);
  const modeDisabled = (m: ImportMode) => (m === 'append' && !hasFinal) || (m === 'into' && nonFinal.length === 0);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const controller = new AbortController();
    abort.current = controller;
    setSent({ loaded: 0, total: file.size });
    setServer(null);
    importCsv.mutate(
      { datasetId, file, mode, versionName, version: mode === 'into' ? targetVersion : null, onProgress: setSent, signal: controller.signal },
      {
        onSuccess: () => {
          setFile(null);
          setInputKey((k) => k + 1);
          setVersionName('');
        },
        onSettled: () => {
          abort.current = null;
        },
      },
    );
  };

  const uploading = importCsv.isPending;
  const uploadDone = sent !== null && sent.total !== null && sent.loaded >= sent.total;
  const problems = csvProblems(importCsv.error);

  return (
    <section className="panel" aria-labelledby="import-heading">
      <h2 id="import-heading">Import CSV</h2>
      <p className="muted">
        The first line must name the columns, in order: <span className="mono">{columns.join(',')}</span>. An empty
        field is NULL; <span className="mono">""</span> is an empty string.
      </p>
      <form onSubmit={submit} className="ds-import-form">
        <div className="field">
          <label htmlFor="import-file">CSV file</label>
          <input
            key={inputKey}
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            disabled={uploading}
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
          {file && <span className="muted">{formatBytes(file.size)}</span>}
        </div>
        <fieldset className="ds-radio-group" disabled={uploading}>
          <legend>Mode</legend>
          {MODES.map(({ mode: m, label }) => (
            <label key={m} className="ds-radio">
              <input
                type="radio"
                name="import-mode"
                value={m}
                checked={mode === m}
                disabled={modeDisabled(m)}
                onChange={() => setMode(m)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {mode === 'into' ? (
          <div className="field">
            <label htmlFor="import-target">Version to add rows to</label>
            <select id="import-target" value={targetVersion ?? ''} onChange={(e) => setTarget(e.target.value)}>
              {nonFinal.map((v) => (
                <option key={v.number} value={v.number}>
                  {v.number} — {v.name}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <div className="field">
            <label htmlFor="import-version-name">New version name (optional)</label>
            <input
              id="import-version-name"
              value={versionName}
              maxLength={200}
              disabled={uploading}
              onChange={(e) => setVersionName(e.target.value)}
            />
          </div>
        )}
        <div className="ds-form-actions">
          <button type="submit" className="btn btn-primary" disabled={!file || uploading}>
            Import
          </button>
          {uploading && (
            <button type="button" className="btn" onClick={() => abort.current?.abort()}>
              Cancel upload
            </button>
          )}
        </div>
      </form>

      {sent && (uploading || importCsv.isSuccess) && (
        <div className="ds-import-progress" aria-live="polite">
          <ProgressBar label="Upload progress" done={sent.loaded} total={sent.total} />
          {uploading && server && (
            <ProgressBar label="Server progress" done={server.bytes_done} total={server.bytes_total} />
          )}
          {uploading && uploadDone && <p className="muted">Sent; the server is loading the rows…</p>}
        </div>
      )}
      {importCsv.isSuccess && (
        <p className="ds-notice-ok" role="status">
          Imported version {importCsv.data.number} ({importCsv.data.name}): {formatCount(importCsv.data.row_count)}{' '}
          rows.
        </p>
      )}
      {importCsv.isError &&
        (isAbort(importCsv.error) ? (
          <p className="muted" role="status">
            Upload cancelled; nothing was imported.
          </p>
        ) : (
          <div className="form-error" role="alert" data-testid="import-error">
            <p>{errorMessage(importCsv.error)}</p>
            {problems.length > 0 && <CsvProblems problems={problems} />}
          </div>
        ))}
    </section>
  );
}
