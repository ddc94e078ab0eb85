import { describe, expect, it } from 'vitest';
import { sortDatasetTypes } from './useDatasetTypes';

describe('dataset type pickers (issue 14 #10)', () => {
  it('list types by name, case aside, numbers in order', () => {
    const names = ['beta', 'Alpha', 'type 10', 'type 2', 'Émission', 'emission b'].map((name, id) => ({ id, name }));
    expect(sortDatasetTypes(names).map((t) => t.name)).toEqual(['Alpha', 'beta', 'Émission', 'emission b', 'type 2', 'type 10']);
  });
});
