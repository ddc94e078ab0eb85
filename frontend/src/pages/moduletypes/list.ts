/** Module Type Manager list helpers (pure). */
import type { ModuleType, ModuleTypeKind, ModuleTypeVersionSummary } from '../../api/types';

export function latestVersion(type: Pick<ModuleType, 'versions'>): ModuleTypeVersionSummary | null {
  let latest: ModuleTypeVersionSummary | null = null;
  for (const v of type.versions ?? []) if (!latest || v.number > latest.number) latest = v;
  return latest;
}

export function filterModuleTypes(types: ModuleType[], search: string, kind: ModuleTypeKind | null): ModuleType[] {
  const q = search.trim().toLowerCase();
  return types.filter(
    (t) =>
      (!kind || t.kind === kind) &&
      (!q || [t.name, t.description, ...(t.tags ?? [])].some((s) => (s ?? '').toLowerCase().includes(q))),
  );
}
