/** Module Type Manager list helpers (pure). */
import type { ModuleType, ModuleTypeKind, ModuleTypeVersionSummary } from '../../api/types';

export function latestVersion(type: Pick<ModuleType, 'versions'>): ModuleTypeVersionSummary | null {
  let latest: ModuleTypeVersionSummary | null = null;
  for (const v of type.versions ?? []) if (!latest || v.number > latest.number) latest = v;
  return latest;
}

export function filterModuleTypes(
  types: ModuleType[],
  search: string,
  kind: ModuleTypeKind | null,
  final: boolean | null = null,
): ModuleType[] {
  const q = search.trim().toLowerCase();
  return types.filter(
    (t) =>
      (!kind || t.kind === kind) &&
      (final === null || (t.versions ?? []).some((v) => v.is_final) === final) &&
      (!q || [t.name, t.description, ...(t.tags ?? [])].some((s) => (s ?? '').toLowerCase().includes(q))),
  );
}

/** The `final` filter of the Manager's URL (`?final=true|false`). */
export function parseFinalParam(value: string | null): boolean | null {
  return value === 'true' ? true : value === 'false' ? false : null;
}
