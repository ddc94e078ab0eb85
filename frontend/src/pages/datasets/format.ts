/** Formatting used by the dataset screens (pure). */
import { formatCount } from '../../format';

/** "v3 · 2,500 rows" for a dataset's latest version. */
export function latestVersionLabel(versions: { number: number; row_count: number }[]): string {
  if (versions.length === 0) return 'No versions';
  const latest = versions.reduce((a, b) => (b.number > a.number ? b : a));
  return `v${latest.number} · ${formatCount(latest.row_count)} ${latest.row_count === 1 ? 'row' : 'rows'}`;
}
