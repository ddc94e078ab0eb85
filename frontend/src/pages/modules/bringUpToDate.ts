/** What the Module Manager says once "Bring up to date" is accepted (pure). */
import type { BringUpToDateResult, Module } from '../../api/types';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * "Bringing 2 modules up to date: 2 runs queued in dependency order." plus, when some were UpToDate by the
 * time the server looked (another run finished meanwhile), "Already UpToDate (run anyway): A, B."
 */
export function bringUpToDateNotice(sent: Pick<Module, 'id' | 'name'>[], result: BringUpToDateResult): string {
  const text = `Bringing ${plural(sent.length, 'module')} up to date: ${plural(result.runs.length, 'run')} queued in dependency order.`;
  const already = result.already_up_to_date ?? [];
  if (already.length === 0) return text;
  const names = already.map((id) => sent.find((m) => m.id === id)?.name ?? `module #${id}`);
  return `${text} Already UpToDate (run anyway): ${names.join(', ')}.`;
}
