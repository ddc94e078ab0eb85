import { describe, expect, it } from 'vitest';
import type { Dataset, DatasetVersion } from '../../api/types';
import { versionOptions } from './DatasetBindings';

function version(number: number, is_final: boolean): DatasetVersion {
  return {
    number, name: '', description: '', base: null, path: [number], is_final, row_count: 0, creator: 'modeler',
    created_at: '2026-01-01T00:00:00Z', last_modified: '2026-01-01T00:00:00Z',
  };
}

const dataset = { id: 5, name: 'Factors', versions: [version(0, true), version(1, false), version(2, true)] } as Dataset;

describe('versionOptions', () => {
  it('IN: null is the latest version, final or not, and every version can be chosen', () => {
    expect(versionOptions(dataset, 'IN')).toEqual([
      { value: '', label: 'Latest version' },
      { value: '2', label: 'v2 (final)' },
      { value: '1', label: 'v1' },
      { value: '0', label: 'v0 (final)' },
    ]);
  });

  it('INOUT: null is the latest final version, and only final versions can be chosen', () => {
    expect(versionOptions(dataset, 'INOUT').map((o) => o.label)).toEqual(['Latest final version', 'v2 (final)', 'v0 (final)']);
  });

  it('offers only null before a dataset is chosen', () => {
    expect(versionOptions(undefined, 'IN')).toEqual([{ value: '', label: 'Latest version' }]);
  });
});
