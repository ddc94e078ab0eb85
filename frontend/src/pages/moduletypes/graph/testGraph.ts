/** Fixtures for the graph tests. */
import type { CompositeGraph, DatasetSlot, ParameterSlot } from '../../../api/types';
import type { GraphContext, VersionSlots } from './graph';

export const ds = (placeholder: string, mode: DatasetSlot['mode'], dataset_type = 1, is_optional = false): DatasetSlot => ({
  placeholder,
  mode,
  dataset_type,
  is_optional,
  description: '',
});
export const ps = (name: string, mode: ParameterSlot['mode'], sql_type = 'integer', is_optional = false): ParameterSlot => ({
  name,
  sql_type,
  mode,
  is_optional,
  description: '',
});

/** Version 10: in (type 1) → out (type 1), factor IN integer, total OUT integer. */
export const SCALE: VersionSlots = {
  dataset_slots: [ds('input', 'IN'), ds('output', 'OUT')],
  parameter_slots: [ps('factor', 'IN'), ps('total', 'OUT')],
};
/** Version 20: other dataset type (2), optional input, INOUT. */
export const OTHER: VersionSlots = {
  dataset_slots: [ds('src', 'IN', 2), ds('opt_in', 'IN', 1, true), ds('opt_out', 'OUT', 1, true), ds('both', 'INOUT', 1)],
  parameter_slots: [ps('label', 'IN', 'text')],
};

export const ctxOf = (own: VersionSlots = { dataset_slots: [ds('source', 'IN'), ds('result', 'OUT')], parameter_slots: [ps('k', 'IN')] }): GraphContext => ({
  own,
  versions: new Map([
    [10, SCALE],
    [20, OTHER],
  ]),
  datasetTypeNames: new Map([
    ['1', 'Emission Factors'],
    ['2', 'Inventory'],
  ]),
});

export function twoScales(): CompositeGraph {
  return {
    submodules: [
      { id: 1, name: 'A', version: 10, position: { x: 0, y: 0 } },
      { id: 2, name: 'B', version: 10, position: { x: 300, y: 0 } },
    ],
    connections: [],
  };
}
