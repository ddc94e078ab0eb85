import { useMutation } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { ValidationDraft, ValidationResult } from '../types';

export interface ValidateArgs {
  id: number;
  /** Validate this draft instead of the saved version. */
  draft?: ValidationDraft;
  signal?: AbortSignal;
}

/** POST /api/module-type-versions/{id}/validate → {valid, errors:[{code, message, line?, column?, submodule?, slot?}]}. */
export function validateModuleTypeVersion({ id, draft, signal }: ValidateArgs): Promise<ValidationResult> {
  return apiPost<ValidationResult>(`/api/module-type-versions/${id}/validate`, draft ?? {}, { signal });
}

export function useValidateModuleTypeVersion() {
  return useMutation({ mutationFn: validateModuleTypeVersion });
}
