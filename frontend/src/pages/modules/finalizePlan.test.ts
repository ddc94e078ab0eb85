import { describe, expect, it } from 'vitest';
import type { ModuleFinalizePlan } from '../../api/types';
import { datasetVersionLabel, finalizeConfirm, finalizeCount } from './finalizePlan';

const plan: ModuleFinalizePlan = {
  type_versions: [{ id: 7, module_type: 3, module_type_name: 'Scale', number: 0, name: 'Initial' }],
  dataset_versions: [
    { id: 11, dataset: 1, dataset_name: 'Factors', number: 0, name: 'import', is_final: true, direction: 'IN' },
    { id: 12, dataset: 2, dataset_name: 'Scaled #4', number: 0, name: '', is_final: false, direction: 'OUT' },
  ],
  blockers: [],
};

describe('module finalize plan', () => {
  it('confirms the type versions and the dataset versions not final yet', () => {
    expect(finalizeConfirm(plan)).toEqual({ type_versions: [7], dataset_versions: [12] });
    expect(finalizeCount(plan)).toBe(2);
  });

  it('names a dataset version with its use', () => {
    expect(datasetVersionLabel(plan.dataset_versions[0])).toBe('Factors version 0 “import” (input)');
    expect(datasetVersionLabel(plan.dataset_versions[1])).toBe('Scaled #4 version 0 (output)');
  });
});
