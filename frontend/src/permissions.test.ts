import { describe, expect, it } from 'vitest';
import type { Me } from './api/types';
import { canWriteProject, isAdmin, isWriteRole, projectRole, writableProjects } from './permissions';

const base = { id: 1, username: 'mona', full_name: '', email: '' };
const modeler: Me = { ...base, role: 'modeler', projects: [{ id: 1, name: 'Demo', role: 'modeler' }, { id: 2, name: 'Other', role: 'viewer' }] };
const viewer: Me = { ...base, role: 'viewer', projects: [{ id: 1, name: 'Demo', role: 'viewer' }] };
const admin: Me = { ...base, role: 'admin', projects: [{ id: 1, name: 'Demo', role: 'viewer' }] };

describe('project permissions', () => {
  it('reads the effective project role (admins are admins everywhere)', () => {
    expect(projectRole(modeler, 2)).toBe('viewer');
    expect(projectRole(modeler, 9)).toBeNull();
    expect(projectRole(modeler, null)).toBeNull();
    expect(projectRole(admin, 5)).toBe('admin');
    expect(projectRole(undefined, 1)).toBeNull();
    expect(isAdmin(admin)).toBe(true);
    expect(isAdmin(modeler)).toBe(false);
  });

  it('lets modelers and admins write, viewers not', () => {
    expect(isWriteRole('modeler')).toBe(true);
    expect(isWriteRole('viewer')).toBe(false);
    expect(isWriteRole(null)).toBe(false);
    expect(canWriteProject(modeler, 1)).toBe(true);
    expect(canWriteProject(modeler, 2)).toBe(false);
    expect(canWriteProject(viewer, 1)).toBe(false);
    expect(canWriteProject(admin, 99)).toBe(true);
  });

  it('lists the projects a user can create in', () => {
    expect(writableProjects(modeler).map((p) => p.name)).toEqual(['Demo']);
    expect(writableProjects(viewer)).toEqual([]);
    expect(writableProjects(admin).map((p) => p.name)).toEqual(['Demo']);
    expect(writableProjects(undefined)).toEqual([]);
  });
});
