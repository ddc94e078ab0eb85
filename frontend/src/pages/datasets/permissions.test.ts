import { describe, expect, it } from 'vitest';
import type { Me } from '../../api/types';
import { canCreateDatasetType, canEditDataset, canRemoveDataset } from './permissions';

const me = (role: Me['role'], projects: Me['projects']): Me => ({
  id: 1,
  username: 'mona',
  full_name: '',
  email: '',
  role,
  projects,
});

describe('permissions', () => {
  const modeler = me('modeler', [
    { id: 1, name: 'Demo', role: 'modeler' },
    { id: 2, name: 'Other', role: 'viewer' },
  ]);
  const viewer = me('viewer', [{ id: 1, name: 'Demo', role: 'viewer' }]);
  const admin = me('admin', [{ id: 1, name: 'Demo', role: 'admin' }]);

  it('lets modelers edit in their projects only', () => {
    expect(canEditDataset(modeler, { project: 1 })).toBe(true);
    expect(canEditDataset(modeler, { project: 2 })).toBe(false);
    expect(canEditDataset(modeler, { project: 3 })).toBe(false);
    expect(canEditDataset(viewer, { project: 1 })).toBe(false);
    expect(canEditDataset(admin, { project: 99 })).toBe(true);
  });

  it('lets the creator or an admin remove', () => {
    expect(canRemoveDataset(modeler, { project: 1, creator: 'mona' })).toBe(true);
    expect(canRemoveDataset(modeler, { project: 1, creator: 'someone' })).toBe(false);
    expect(canRemoveDataset(modeler, { project: 2, creator: 'mona' })).toBe(false);
    expect(canRemoveDataset(admin, { project: 1, creator: 'someone' })).toBe(true);
    expect(canRemoveDataset(viewer, { project: 1, creator: 'mona' })).toBe(false);
  });

  it('lets modelers and admins create dataset types', () => {
    expect(canCreateDatasetType(modeler)).toBe(true);
    expect(canCreateDatasetType(admin)).toBe(true);
    expect(canCreateDatasetType(viewer)).toBe(false);
  });
});
