/** Fixtures for the module type screens' tests (the fetch stub is test/stubApi; the users and versions test/fixtures). */
import type { EditLock, Me, ModuleType } from '../../api/types';
import { reply, type Reply } from '../../test/stubApi';

export function moduleType(overrides: Partial<ModuleType> = {}): ModuleType {
  return {
    id: 3,
    name: 'Scale Emission Factors',
    description: 'Multiplies every emission factor.',
    kind: 'simple',
    tags: ['emf'],
    project: 1,
    creator: 'modeler',
    created_at: '2024-05-01T10:00:00Z',
    versions: [{ id: 30, number: 0, name: 'Initial Version', is_final: false, last_modified: '2024-05-02T10:00:00Z' }],
    lock: null,
    ...overrides,
  };
}

export function editLock(overrides: Partial<EditLock> = {}): EditLock {
  return { user: 'modeler', user_name: 'Mona Modeler', since: '2024-05-02T10:42:00Z', expires_at: '2024-05-02T10:47:00Z', ...overrides };
}

/** The edit lock routes of module type `id`: taken by `me` unless `holder` (someone else) has it. */
export function lockRoutes(id: number, me: Me, holder: EditLock | null = null): Record<string, Reply> {
  return {
    [`POST /api/module-types/${id}/lock`]: () =>
      holder && holder.user !== me.username
        ? reply(409, { code: 'locked', message: `This module type is being edited by ${holder.user_name}.`, details: { lock: holder } })
        : reply(200, { lock: editLock({ user: me.username, user_name: me.full_name }) }),
    [`DELETE /api/module-types/${id}/lock`]: () => reply(204, null),
  };
}
