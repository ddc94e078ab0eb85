/** What the dataset API's errors carry in their details, for display (pure). */
import { isApiError } from '../../api/client';
import type { CsvProblem, RelatedModule } from '../../api/types';

/** The row/column/reason list of a 400 `bad_csv`, else []. */
export function csvProblems(error: unknown): CsvProblem[] {
  if (!isApiError(error) || error.code !== 'bad_csv') return [];
  const details = error.details as { errors?: unknown } | null;
  if (!details || !Array.isArray(details.errors)) return [];
  return details.errors.filter((e): e is CsvProblem => !!e && typeof e === 'object' && 'reason' in e);
}

/** The modules of a 409 `dataset_in_use`, else []. */
export function modulesInUse(error: unknown): RelatedModule[] {
  if (!isApiError(error) || error.status !== 409) return [];
  const details = error.details as { modules?: unknown } | null;
  if (!details || !Array.isArray(details.modules)) return [];
  return details.modules.filter((m): m is RelatedModule => !!m && typeof m === 'object' && 'module_name' in m);
}

export function isPreconditionFailed(error: unknown): boolean {
  return isApiError(error) && error.status === 412;
}
