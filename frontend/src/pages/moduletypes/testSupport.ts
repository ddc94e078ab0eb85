/** Test helpers for the module type screens: a fetch stub routed by "METHOD /path" (query apart) and fixtures. */
import { vi } from 'vitest';
import type { Me, ModuleType, ModuleTypeVersion } from '../../api/types';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = (call: Call) => Response | Promise<Response>;

export function reply(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: body === null ? headers : { 'Content-Type': 'application/json', ...headers },
  });
}

export function stubApi(routes: Record<string, Reply>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(String(input), 'http://test');
      const method = (init.method ?? 'GET').toUpperCase();
      let body: unknown = init.body ?? null;
      if (typeof body === 'string') body = JSON.parse(body);
      const call: Call = { method, path: url.pathname, query: url.searchParams, headers: (init.headers ?? {}) as Record<string, string>, body };
      calls.push(call);
      const route = routes[`${method} ${url.pathname}`];
      return route ? route(call) : reply(404, { code: 'not_found', message: `No stub for ${method} ${url.pathname}`, details: null });
    }),
  );
  return calls;
}

const user = { id: 1, username: 'modeler', full_name: 'Mona Modeler', email: '' };
export const modeler: Me = { ...user, role: 'modeler', projects: [{ id: 1, name: 'Demo', role: 'modeler' }] };
export const admin: Me = { ...user, id: 2, username: 'admin', full_name: 'Ada Admin', role: 'admin', projects: [{ id: 1, name: 'Demo', role: 'admin' }] };
export const viewer: Me = { ...user, id: 3, username: 'viewer', full_name: 'Vic Viewer', role: 'viewer', projects: [{ id: 1, name: 'Demo', role: 'viewer' }] };

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
    ...overrides,
  };
}

export function typeVersion(overrides: Partial<ModuleTypeVersion> = {}): ModuleTypeVersion {
  return {
    id: 30,
    module_type: 3,
    module_type_name: 'Scale Emission Factors',
    kind: 'simple',
    number: 0,
    name: 'Initial Version',
    description: '',
    is_final: false,
    is_aggregation: false,
    dataset_slots: [{ placeholder: 'input_ds', mode: 'IN', dataset_type: 1, is_optional: false, description: '' }],
    parameter_slots: [{ name: 'factor', sql_type: 'double precision', mode: 'IN', is_optional: false, description: '' }],
    algorithm: 'SELECT * FROM ${input_ds};',
    graph: {},
    creator: 'modeler',
    created_at: '2024-05-01T10:00:00Z',
    last_modified: '2024-05-02T10:00:00Z',
    revision: 2,
    revision_notes: [{ author: 'modeler', created_at: '2024-05-01T10:00:00Z', note: 'Created' }],
    used_by: { modules: [], composites: [] },
    ...overrides,
  };
}

export const emissionType = {
  id: 1,
  name: 'Emission Factors',
  description: '',
  columns: [{ name: 'fuel_type', sql_type: 'varchar' }],
  creator: 'modeler',
  revision: 1,
  created_at: '2024-05-01T10:00:00Z',
  dataset_count: 1,
};
