import { describe, expect, it } from 'vitest';
import { detailMessages } from './errorDetails';

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
