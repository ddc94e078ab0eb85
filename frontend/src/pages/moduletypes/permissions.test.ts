import { describe, expect, it } from 'vitest';
import type { Me } from '../../api/types';
import { canEditVersion, canFinalizeVersion, canRemoveType, canRemoveVersion } from './permissions';

const base = { id: 1, username: 'u', full_name: 'U', email: '' };
const admin: Me = { ...base, role: 'admin', projects: [] };
const modeler: Me = { ...base, role: 'modeler', projects: [{ id: 1, name: 'Demo', role: 'modeler' }, { id: 2, name: 'Other', role: 'viewer' }] };
const viewer: Me = { ...base, role: 'viewer', projects: [{ id: 1, name: 'Demo', role: 'viewer' }] };

describe('module type permissions', () => {
  it('lets modelers edit non-final versions of their projects only', () => {
    expect(canEditVersion(modeler, 1, { is_final: false })).toBe(true);
    expect(canEditVersion(modeler, 1, { is_final: true })).toBe(false);
    expect(canEditVersion(modeler, 2, { is_final: false })).toBe(false);
    expect(canEditVersion(viewer, 1, { is_final: false })).toBe(false);
  });
  it('keeps finalizing and removing types for admins', () => {
    expect(canFinalizeVersion(admin, { is_final: false })).toBe(true);
    expect(canFinalizeVersion(admin, { is_final: true })).toBe(false);
    expect(canFinalizeVersion(modeler, { is_final: false })).toBe(false);
    expect(canRemoveType(admin)).toBe(true);
    expect(canRemoveType(modeler)).toBe(false);
    expect(canRemoveVersion(modeler, 1, { is_final: false })).toBe(true);
    expect(canRemoveVersion(modeler, 1, { is_final: true })).toBe(false);
    expect(canRemoveVersion(admin, 1, { is_final: true })).toBe(true);
  });
});
