import { useMutation } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { ModuleValidationResult } from '../types';

/** POST /api/modules/{id}/validate → `{valid, errors: [{code, message, slot?}]}` (the saved module). */
export function validateModule(id: number): Promise<ModuleValidationResult> {
  return apiPost<ModuleValidationResult>(`/api/modules/${id}/validate`);
}

export function useValidateModule() {
  return useMutation({ mutationFn: validateModule });
}
