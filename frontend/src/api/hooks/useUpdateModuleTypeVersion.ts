import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { versionFromApi } from '../graph';
import type { ApiModuleTypeVersion, ModuleTypeVersionUpdate } from '../types';
import { moduleTypeQueryKey } from './useModuleType';
import { moduleTypeVersionQueryKey, type ModuleTypeVersionWithEtag } from './useModuleTypeVersion';
import { moduleTypesQueryKey } from './useModuleTypes';
import { moduleTypeVersionsQueryKey } from './useModuleTypeVersions';

export interface UpdateModuleTypeVersionArgs {
  id: number;
  changes: ModuleTypeVersionUpdate;
  /** The ETag the edit started from: a stale one gets 412 (someone else saved meanwhile). */
  etag: string | null;
}

/**
 * PATCH /api/module-type-versions/{id} with If-Match. Refusals: 412 `precondition_failed`,
 * 409 `has_dependents` (resend with `confirm_dependents: true`), 409 `version_final`, 400 `revision_note_required`.
 */
export async function updateModuleTypeVersion({
  id,
  changes,
  etag,
}: UpdateModuleTypeVersionArgs): Promise<ModuleTypeVersionWithEtag> {
  const response = await apiRequest<ApiModuleTypeVersion>('PATCH', `/api/module-type-versions/${id}`, {
    body: changes,
    ifMatch: etag,
  });
  return { version: versionFromApi(response.data), etag: response.etag };
}

export function useUpdateModuleTypeVersion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateModuleTypeVersion,
    onSuccess: (result, { id }) => {
      queryClient.setQueryData([...moduleTypeVersionQueryKey(id), 'detail'], result);
      void queryClient.invalidateQueries({ queryKey: moduleTypeQueryKey(result.version.module_type) });
      void queryClient.invalidateQueries({ queryKey: moduleTypesQueryKey });
      void queryClient.invalidateQueries({ queryKey: moduleTypeVersionsQueryKey });
    },
  });
}
