/** Formatting for the module screens (pure). */
/** Seconds between two ISO times as "0.4 s", "12 s", "3 min 05 s", "1 h 02 min"; "—" when unknown. */
export function formatDuration(startIso: string | null | undefined, endIso: string | null | undefined): string {
  if (!startIso || !endIso) return '—';
  const ms = new Date(endIso).getTime() - new Date(startIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '—';
  return formatSeconds(ms / 1000);
}

export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${(Math.round(seconds * 10) / 10).toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
  return `${Math.floor(whole / 3600)} h ${pad(Math.floor((whole % 3600) / 60))} min`;
}

/** A run's result, or its stage while it is going. */
export function runOutcome(run: { result: string | null | undefined; stage?: string }): string {
  if (run.result) return run.result;
  return run.stage && run.stage !== 'COMPLETED' ? `Running (${run.stage})` : 'Running';
}

export function resultClass(result: string | null | undefined): string {
  switch (result) {
    case 'SUCCESS':
      return 'badge badge-ok';
    case 'FAILED':
    case 'TIMEOUT':
      return 'badge badge-failed';
    case 'CANCELLED':
      return 'badge badge-warn';
    default:
      return 'badge';
  }
}

/** "" → "(empty string)", null/undefined → "(not set)": the two must never look alike. */
export function showValue(value: string | null | undefined): string {
  if (value === null || value === undefined) return '(not set)';
  if (value === '') return '(empty string)';
  return value;
}
