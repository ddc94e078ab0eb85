import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { csvProblems, detailMessages, isPreconditionFailed, modulesInUse } from './errors';

describe('detailMessages', () => {
  it('keeps the service’s column sentences as they are', () => {
    expect(detailMessages({ columns: ["Column 1: 'Bad' must be lower-case", 'Column 2: reserved'] })).toEqual([
      "Column 1: 'Bad' must be lower-case",
      'Column 2: reserved',
    ]);
  });
  it('names fields, including DRF’s nested list errors', () => {
    expect(
      detailMessages({
        name: ['This field is required.'],
        columns: [{}, { name: ['Ensure this field has no more than 63 characters.'] }],
        dataset_type: ['Unknown dataset type.'],
      }),
    ).toEqual([
      'Name: This field is required.',
      'Column 2 name: Ensure this field has no more than 63 characters.',
      'Dataset type: Unknown dataset type.',
    ]);
    expect(detailMessages({ columns: ['This list may not be empty.'] })).toEqual(['This list may not be empty.']);
    expect(detailMessages(null)).toEqual([]);
  });
});

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
