/** Fixtures for the dataset screens' tests (the fetch stub is test/stubApi). */
import type { Dataset, DatasetVersion, Me } from '../../api/types';
import { reply } from '../../test/stubApi';

export { stubApi, type Call } from '../../test/stubApi';

export function withEtag(status: number, body: unknown, etag: string): Response {
  return reply(status, body, { ETag: etag });
}

export const modeler: Me = {
  id: 2,
  username: 'modeler',
  full_name: 'Mona Modeler',
  email: '',
  role: 'modeler',
  projects: [
    { id: 1, name: 'Demo', role: 'modeler' },
    { id: 3, name: 'Readonly', role: 'viewer' },
  ],
};

export const viewer: Me = { ...modeler, id: 3, username: 'viewer', role: 'viewer', projects: [{ id: 1, name: 'Demo', role: 'viewer' }] };

export const admin: Me = { ...modeler, id: 1, username: 'admin', role: 'admin', projects: [{ id: 1, name: 'Demo', role: 'admin' }] };

export function version(number: number, extra: Partial<DatasetVersion> = {}): DatasetVersion {
  return {
    number,
    name: number === 0 ? 'Initial Version' : `Version ${number}`,
    description: '',
    base: null,
    path: [number],
    is_final: false,
    row_count: 0,
    creator: 'modeler',
    created_at: '2024-05-01T10:00:00Z',
    last_modified: '2024-05-01T10:00:00Z',
    ...extra,
  };
}

export function dataset(extra: Partial<Dataset> = {}): Dataset {
  return {
    id: 7,
    name: 'Emission Factors 2016',
    description: 'Input of the EMF example module',
    keywords: { SOURCE: 'EMF' },
    dataset_type: 1,
    dataset_type_name: 'Emission Factors',
    project: 1,
    project_name: 'Demo',
    creator: 'modeler',
    columns: [
      { name: 'fuel_type', sql_type: 'varchar' },
      { name: 'year', sql_type: 'integer' },
      { name: 'comments', sql_type: 'text' },
    ],
    revision: 1,
    created_at: '2024-05-01T10:00:00Z',
    last_modified: '2024-05-01T10:00:00Z',
    removed_at: null,
    versions: [version(0, { is_final: true, row_count: 250 })],
    ...extra,
  };
}
