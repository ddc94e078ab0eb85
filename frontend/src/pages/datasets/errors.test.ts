import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { csvProblems, isPreconditionFailed, modulesInUse } from './errors';

describe('error details', () => {
  it('reads the problems of a bad CSV', () => {
    const error = new ApiError(400, 'bad_csv', 'The CSV does not fit', {
      errors: [{ row: 2, column: 'year', reason: 'invalid input syntax for type integer: "abc"' }],
    });
    expect(csvProblems(error)).toEqual([{ row: 2, column: 'year', reason: 'invalid input syntax for type integer: "abc"' }]);
    expect(csvProblems(new ApiError(400, 'invalid', 'x', { errors: [] }))).toEqual([]);
    expect(csvProblems(new Error('x'))).toEqual([]);
  });
  it('reads the modules that block a removal', () => {
    const error = new ApiError(409, 'dataset_in_use', 'Modules use it', {
      modules: [{ module_id: 7, module_name: 'Scale factors', relation: 'input' }],
    });
    expect(modulesInUse(error)).toEqual([{ module_id: 7, module_name: 'Scale factors', relation: 'input' }]);
    expect(modulesInUse(new ApiError(403, 'forbidden', 'no'))).toEqual([]);
  });
  it('recognizes 412', () => {
    expect(isPreconditionFailed(new ApiError(412, 'precondition_failed', 'stale'))).toBe(true);
    expect(isPreconditionFailed(new ApiError(409, 'conflict', 'x'))).toBe(false);
  });
});
