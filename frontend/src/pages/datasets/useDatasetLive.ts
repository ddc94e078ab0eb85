import { useQueryClient } from '@tanstack/react-query';
import { datasetQueryKey } from '../../api/hooks/useDataset';
import { datasetsQueryKey } from '../../api/hooks/useDatasets';
import { useTopic } from '../../live/useTopic';

/**
 * Keeps a dataset's queries fresh from topic `dataset:<id>`: `version_changed` refetches versions, rows
 * and the dataset (its embedded versions), `dataset_changed` the metadata; a gap refetches everything.
 * (`import_progress` is the Import section's business.)
 */
export function useDatasetLive(id: number) {
  const queryClient = useQueryClient();
  const refetchAll = () => {
    void queryClient.invalidateQueries({ queryKey: datasetQueryKey(id) });
    void queryClient.invalidateQueries({ queryKey: datasetsQueryKey });
  };
  useTopic(
    Number.isFinite(id) ? `dataset:${id}` : null,
    (event) => {
      if (event.type === 'version_changed') refetchAll();
      else if (event.type === 'dataset_changed') {
        void queryClient.invalidateQueries({ queryKey: [...datasetQueryKey(id), 'detail'] });
      }
    },
    refetchAll,
  );
}
