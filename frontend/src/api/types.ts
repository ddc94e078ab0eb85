/** Shapes of the backend's JSON (see shared/DESIGN.md §8). */

export type Role = 'viewer' | 'modeler' | 'admin';

export interface ProjectMembership {
  id: number;
  name: string;
  role: string;
}

export interface Me {
  id: number;
  username: string;
  full_name: string;
  email: string;
  role: Role;
  projects: ProjectMembership[];
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface HealthCheck {
  ok: boolean;
  detail: string;
}

export type HealthCheckName = 'app_db' | 'workspace_db' | 'redis' | 'worker';

export interface Health {
  status: 'ok' | 'degraded';
  checks: Partial<Record<HealthCheckName, HealthCheck>> & Record<string, HealthCheck | undefined>;
}
