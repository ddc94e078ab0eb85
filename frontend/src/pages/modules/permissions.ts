/** Who may do what on the module screens (the server decides; this only hides what it would refuse). */
import type { Me, Module } from '../../api/types';
import { canWriteProject, isAdmin } from '../../permissions';

/** Run, copy, validate: the project's modelers and admins. */
export function canUseModule(me: Me | null | undefined, module: Pick<Module, 'project'>): boolean {
  return canWriteProject(me, module.project);
}

/** Change bindings and metadata: not once final. */
export function canEditModule(me: Me | null | undefined, module: Pick<Module, 'project' | 'is_final'>): boolean {
  return !module.is_final && canWriteProject(me, module.project);
}

/** Non-admins only their own non-final modules; admins anything. */
export function canRemoveModule(me: Me | null | undefined, module: Pick<Module, 'project' | 'is_final' | 'creator'>): boolean {
  if (isAdmin(me)) return true;
  return !!me && module.creator === me.username && !module.is_final && canWriteProject(me, module.project);
}

export function canFinalizeModule(me: Me | null | undefined, module: Pick<Module, 'is_final'>): boolean {
  return isAdmin(me) && !module.is_final;
}
