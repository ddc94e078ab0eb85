import { useMemo, useState } from 'react';
import { useModuleTypeVersions } from '../../api/hooks/useModuleTypeVersions';
import type { DatasetType, ModuleTypeVersion } from '../../api/types';
import { errorMessage } from '../../components/ErrorPanel';
import { DiagramEditor } from '../moduletypes/graph/DiagramEditor';
import { normalizeGraph, type GraphContext, type VersionInfo, type VersionSlots } from '../moduletypes/graph/graph';
import { createDiagramStore } from '../moduletypes/graph/store';
import { AlgorithmEditor } from '../moduletypes/sql/AlgorithmEditor';
import { aggregationDefaults } from '../moduletypes/aggregation';
import { AggregationSqlEditors } from '../moduletypes/AggregationSqlEditors';
import { draftFromVersion } from '../moduletypes/draft';

const NO_SLOTS = { datasets: [], parameters: [] };
const NO_DIAGNOSTICS: never[] = [];
const NOT_VALIDATED = { aggregate_sql: null, process_sql: null, clear_sql: null };

/** The module type version's algorithm (simple), aggregation SQL (simple aggregation) or diagram (composite), read-only. */
export function TypeDefinition({ version, datasetTypes }: { version: ModuleTypeVersion; datasetTypes: DatasetType[] }) {
  if (version.kind === 'simple' && version.is_aggregation) {
    const draft = draftFromVersion(version);
    return (
      <AggregationSqlEditors
        draft={draft}
        onChange={() => undefined}
        readOnly
        slots={NO_SLOTS}
        defaults={aggregationDefaults(draft, datasetTypes)}
        errors={NO_DIAGNOSTICS}
        validated={NOT_VALIDATED}
      />
    );
  }
  if (version.kind === 'simple') {
    return (
      <AlgorithmEditor
        value={version.algorithm}
        onChange={() => undefined}
        readOnly
        slots={NO_SLOTS}
        diagnostics={NO_DIAGNOSTICS}
        diagnosticsFor={null}
      />
    );
  }
  return <ReadOnlyDiagram version={version} datasetTypes={datasetTypes} />;
}

function ReadOnlyDiagram({ version, datasetTypes }: { version: ModuleTypeVersion; datasetTypes: DatasetType[] }) {
  const [store] = useState(() => createDiagramStore(normalizeGraph(version.graph)));
  const all = useModuleTypeVersions();
  const datasetTypeNames = useMemo(() => new Map(datasetTypes.map((t) => [String(t.id), t.name])), [datasetTypes]);
  const versions = useMemo(() => {
    const map = new Map<number, VersionInfo>();
    for (const v of all.data ?? []) map.set(v.id, v);
    return map;
  }, [all.data]);
  const ctx: GraphContext = useMemo(() => {
    const slots = new Map<number, VersionSlots>();
    for (const [id, v] of versions) slots.set(id, { dataset_slots: v.dataset_slots, parameter_slots: v.parameter_slots });
    return { own: { dataset_slots: version.dataset_slots, parameter_slots: version.parameter_slots }, versions: slots, datasetTypeNames };
  }, [versions, version, datasetTypeNames]);
  return (
    <DiagramEditor
      store={store}
      ctx={ctx}
      versions={versions}
      palette={[]}
      paletteLoading={all.isPending}
      paletteError={all.isError ? errorMessage(all.error) : null}
      readOnly
      errors={[]}
      phases={version.phases}
      datasetTypeNames={datasetTypeNames}
    />
  );
}
