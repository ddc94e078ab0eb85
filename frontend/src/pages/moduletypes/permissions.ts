/** Who may do what on the module type screens (the server decides; this only hides what it would refuse). */
import type { Me, ModuleTypeVersionSummary, ProjectMembership } from '../../api/types';

const WRITE_ROLES = new Set(['modeler', 'admin']);

export function isAdmin(me: Me | null | undefined): boolean {
  return me?.role === 'admin';
}

/** The user's effective role in a project (from /api/me), or null. */
export function projectRole(me: Me | null | undefined, projectId: number | null | undefined): string | null {
  if (!me) return null;
  if (isAdmin(me)) return 'admin';
  if (projectId == null) return null;
  return me.projects.find((p) => p.id === projectId)?.role ?? null;
}

export function canWriteProject(me: Me | null | undefined, projectId: number | null | undefined): boolean {
  const role = projectRole(me, projectId);
  return role !== null && WRITE_ROLES.has(role);
}

/** Projects the user may create module types in. */
export function writableProjects(me: Me | null | undefined): ProjectMembership[] {
  if (!me) return [];
  return me.projects.filter((p) => isAdmin(me) || WRITE_ROLES.has(p.role));
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
