/** Who may do what in a project (the server decides; the screens only hide what it would refuse). */
import type { Me, ProjectMembership } from './api/types';

const WRITE_ROLES = new Set(['modeler', 'admin']);

export function isAdmin(me: Me | null | undefined): boolean {
  return me?.role === 'admin';
}

/** Modelers and admins write; viewers only read. */
export function isWriteRole(role: string | null | undefined): boolean {
  return !!role && WRITE_ROLES.has(role);
}

/** The user's effective role in a project (from /api/me), or null. */
export function projectRole(me: Me | null | undefined, projectId: number | null | undefined): string | null {
  if (!me) return null;
  if (isAdmin(me)) return 'admin';
  if (projectId == null) return null;
  return me.projects.find((p) => p.id === projectId)?.role ?? null;
}

export function canWriteProject(me: Me | null | undefined, projectId: number | null | undefined): boolean {
  return isWriteRole(projectRole(me, projectId));
}

/** Projects the user may create things in (or move them to). */
export function writableProjects(me: Me | null | undefined): ProjectMembership[] {
  if (!me) return [];
  return me.projects.filter((p) => isAdmin(me) || isWriteRole(p.role));
}
