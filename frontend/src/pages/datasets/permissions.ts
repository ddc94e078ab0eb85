/** Who may do what on the dataset screens (the server decides; this only hides what would be refused). */
import type { Dataset, Me } from '../../api/types';
import { canWriteProject, isAdmin, isWriteRole } from '../../permissions';

/** Dataset types are shared: any modeler may create one. */
export function canCreateDatasetType(me: Me | null | undefined): boolean {
  return isWriteRole(me?.role);
}

/** Edit metadata, import, make and finalize versions. */
export function canEditDataset(me: Me | null | undefined, dataset: Pick<Dataset, 'project'>): boolean {
  return canWriteProject(me, dataset.project);
}

/** Its creator (a modeler of the project) or an admin. */
export function canRemoveDataset(me: Me | null | undefined, dataset: Pick<Dataset, 'project' | 'creator'>): boolean {
  if (!me) return false;
  if (isAdmin(me)) return true;
  return dataset.creator === me.username && canEditDataset(me, dataset);
}
