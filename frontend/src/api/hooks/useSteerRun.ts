import { useMutation } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { SteerRequest } from '../types';

/**
 * POST /api/runs/{id}/steer `{path, parameters}` → 202 (applied between two steps; event `steered`).
 * 409 when the run has ended; 400 when the path is not a progressive submodule, a parameter is
 * unknown or its value does not parse.
 */
export function steerRun(id: number, body: SteerRequest): Promise<unknown> {
  return apiPost<unknown>(`/api/runs/${id}/steer`, body);
}

export function useSteerRun(id: number) {
  return useMutation({ mutationFn: (body: SteerRequest) => steerRun(id, body) });
}
