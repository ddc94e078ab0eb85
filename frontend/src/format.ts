/** "modeler" → "Modeler"; "" → "". */
export function capitalize(value: string | null | undefined): string {
  if (!value) return '';
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/** Full name when set, else the username. */
export function displayName(user: { full_name?: string | null; username: string }): string {
  const full = user.full_name?.trim();
  return full ? full : user.username;
}

const HEALTH_LABELS: Record<string, string> = {
  app_db: 'Application database',
  workspace_db: 'Workspace database',
  redis: 'Redis',
  worker: 'Worker',
};

export function healthCheckLabel(name: string): string {
  return HEALTH_LABELS[name] ?? capitalize(name.replace(/_/g, ' '));
}

/** Known checks first in a fixed order, then any others alphabetically. */
export function orderHealthChecks(names: string[]): string[] {
  const known = Object.keys(HEALTH_LABELS);
  return [...names].sort((a, b) => {
    const ia = known.indexOf(a);
    const ib = known.indexOf(b);
    if (ia >= 0 && ib >= 0) return ia - ib;
    if (ia >= 0) return -1;
    if (ib >= 0) return 1;
    return a.localeCompare(b);
  });
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 0 → "0 B", 1536 → "1.5 KB", 5_000_000 → "4.8 MB" (binary multiples, one decimal below 10). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${value} B`;
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** 2500 → "2,500". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

/** Whole percent of done/total, clamped to 0..100; null when the total is unknown. */
export function percentOf(done: number, total: number | null | undefined): number | null {
  if (!total || total <= 0) return null;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** ISO timestamp → "2024-05-01 14:03" in local time; "—" for nothing, the input when unparsable. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}
