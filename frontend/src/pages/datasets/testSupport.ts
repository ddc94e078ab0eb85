/** Fixtures for the dataset screens' tests (the fetch stub is test/stubApi, the users test/fixtures). */
import type { Dataset, DatasetVersion } from '../../api/types';

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
