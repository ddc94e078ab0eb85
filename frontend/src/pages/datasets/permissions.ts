/** Who may do what on the dataset screens (the server decides; this only hides what would be refused). */
import type { Dataset, Me, ProjectMembership } from '../../api/types';

const WRITE_ROLES = new Set(['modeler', 'admin']);

export function isAdmin(me: Me | null | undefined): boolean {
  return me?.role === 'admin';
}

/** The user's effective role in a project (from /api/me), or null. */
export function projectRole(me: Me | null | undefined, projectId: number): string | null {
  if (!me) return null;
  if (isAdmin(me)) return 'admin';
  return me.projects.find((p) => p.id === projectId)?.role ?? null;
}

/** Projects the user may create datasets in. */
export function writableProjects(me: Me | null | undefined): ProjectMembership[] {
  if (!me) return [];
  return me.projects.filter((p) => WRITE_ROLES.has(p.role) || isAdmin(me));
}

/** Dataset types are shared: any modeler may create one. */
export function canCreateDatasetType(me: Me | null | undefined): boolean {
  return !!me && WRITE_ROLES.has(me.role);
}

/** Edit metadata, import, make and finalize versions. */
export function canEditDataset(me: Me | null | undefined, dataset: Pick<Dataset, 'project'>): boolean {
  const role = projectRole(me, dataset.project);
  return role !== null && WRITE_ROLES.has(role);
}

/** Its creator (a modeler of the project) or an admin. */
export function canRemoveDataset(me: Me | null | undefined, dataset: Pick<Dataset, 'project' | 'creator'>): boolean {
  if (!me) return false;
  if (isAdmin(me)) return true;
  return dataset.creator === me.username && canEditDataset(me, dataset);
}
