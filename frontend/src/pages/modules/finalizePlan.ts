/** The module Finalize dialog's plan (pure): what to confirm and how each dataset version reads. */
import type { ModuleFinalizeConfirm, ModuleFinalizePlan } from '../../api/types';

/** Exactly what the plan will finalize (the server refuses a confirm that no longer matches). */
export function finalizeConfirm(plan: ModuleFinalizePlan): ModuleFinalizeConfirm {
  return {
    type_versions: plan.type_versions.map((v) => v.id),
    dataset_versions: plan.dataset_versions.filter((v) => !v.is_final).map((v) => v.id),
  };
}

const DIRECTION: Record<string, string> = { IN: 'input', OUT: 'output', INOUT: 'input and output' };

export function datasetVersionLabel(v: ModuleFinalizePlan['dataset_versions'][number]): string {
  const name = v.name ? ` “${v.name}”` : '';
  return `${v.dataset_name} version ${v.number}${name} (${DIRECTION[v.direction] ?? v.direction})`;
}

/** How many versions finalizing touches besides the module. */
export function finalizeCount(plan: ModuleFinalizePlan): number {
  const confirm = finalizeConfirm(plan);
  return confirm.type_versions.length + confirm.dataset_versions.length;
}
