/** What the Module Manager says once "Bring up to date" is accepted (pure). */
import type { BringUpToDateResult, Me, Module } from '../../api/types';
import { capitalize } from '../../format';
import { writableProjects } from '../../permissions';
import { canUseModule } from './permissions';

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

/**
 * Why "Bring up to date" is disabled, in the user's terms (undefined when it is enabled): a read-only
 * role is the reason for a viewer, not an empty selection.
 */
export function bringUpToDateHint(
  me: Me | null | undefined,
  visible: Pick<Module, 'project' | 'status'>[],
  chosen: Pick<Module, 'project' | 'status'>[],
): string | undefined {
  const usable = (m: Pick<Module, 'project'>) => canUseModule(me, m);
  if (chosen.some((m) => m.status === 'OutOfDate' && usable(m))) return undefined;
  const role = me ? capitalize(me.role) : 'Your';
  if (writableProjects(me).length === 0 || (visible.length > 0 && !visible.some(usable))) {
    return `Your role (${role}) can only look at modules: bringing them up to date runs them, which needs the Modeler role.`;
  }
  if (chosen.some((m) => m.status === 'OutOfDate')) {
    return 'You can only read the selected OutOfDate modules (your role in their project): running them needs the Modeler role there.';
  }
  return 'Select OutOfDate modules';
}
