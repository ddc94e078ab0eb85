import { keepPreviousData, queryOptions, useMutation } from '@tanstack/react-query';
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

/**
 * The validation of a draft (or, without one, of the saved version) as a query keyed by the draft
 * itself: a new draft (debounced by the caller) cancels the request for the old one, an unchanged
 * draft is not validated again, and the last result stays shown while the next one loads.
 */
export function validateModuleTypeVersionQuery(id: number, draft: ValidationDraft | undefined) {
  return queryOptions({
    queryKey: ['module-type-version-validation', id, draft ?? null] as const,
    queryFn: ({ signal }) => validateModuleTypeVersion({ id, draft, signal }),
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 60_000,
    retry: false,
  });
}
