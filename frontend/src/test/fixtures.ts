/** Data the screen tests of several pages share: a signed-in user per role (as /api/me answers), the demo dataset type. */
import type { DatasetType, Me } from '../api/types';

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

export const viewer: Me = {
  ...modeler,
  id: 3,
  username: 'viewer',
  full_name: 'Vic Viewer',
  role: 'viewer',
  projects: [{ id: 1, name: 'Demo', role: 'viewer' }],
};

export const admin: Me = {
  ...modeler,
  id: 1,
  username: 'admin',
  full_name: 'Ada Admin',
  role: 'admin',
  projects: [{ id: 1, name: 'Demo', role: 'admin' }],
};

export const emissionType: DatasetType = {
  id: 1,
  name: 'Emission Factors',
  description: '',
  columns: [{ name: 'fuel_type', sql_type: 'varchar' }],
  creator: 'modeler',
  revision: 1,
  created_at: '2024-05-01T10:00:00Z',
  dataset_count: 1,
};
