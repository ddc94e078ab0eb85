/** Who may do what on the module type screens (the server decides; this only hides what it would refuse). */
import type { Me, ModuleTypeVersionSummary } from '../../api/types';
import { canWriteProject, isAdmin } from '../../permissions';

/** The built-in progressive types (kind `progressive`) are read-only: nobody edits, versions or removes them. */
export function isBuiltInType(type: { kind?: string | null } | null | undefined): boolean {
  return type?.kind === 'progressive';
}

/** Final versions never change; others by the project's modelers and admins. */
export function canEditVersion(me: Me | null | undefined, projectId: number | null | undefined, version: { is_final: boolean }): boolean {
  return !version.is_final && canWriteProject(me, projectId);
}

export function canFinalizeVersion(me: Me | null | undefined, version: { is_final: boolean }): boolean {
  return isAdmin(me) && !version.is_final;
}

/** Removing a whole module type is for admins. */
export function canRemoveType(me: Me | null | undefined): boolean {
  return isAdmin(me);
}

/** Finalized versions: admins only; others: the project's modelers. */
export function canRemoveVersion(
  me: Me | null | undefined,
  projectId: number | null | undefined,
  version: Pick<ModuleTypeVersionSummary, 'is_final'>,
): boolean {
  return version.is_final ? isAdmin(me) : canWriteProject(me, projectId);
}
