import { describe, expect, it } from 'vitest';
import { formatDuration, formatSeconds, resultClass, runOutcome, showValue } from './format';
import { reasonCount, statusBadge } from './status';

describe('status badge', () => {
  it('is green for UpToDate, red for OutOfDate, grey when unknown', () => {
    expect(statusBadge('UpToDate')).toMatchObject({ label: 'UpToDate', className: expect.stringContaining('mod-status-ok') });
    expect(statusBadge('OutOfDate')).toMatchObject({ label: 'OutOfDate', className: expect.stringContaining('mod-status-stale') });
    expect(statusBadge(undefined).label).toBe('Unknown');
    expect(statusBadge(undefined).className).not.toMatch(/ok|stale/);
    expect(reasonCount(1)).toBe('1 reason');
    expect(reasonCount(3)).toBe('3 reasons');
  });
});

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration('2024-05-01T10:00:00Z', '2024-05-01T10:00:00.400Z')).toBe('0.4 s');
    expect(formatDuration('2024-05-01T10:00:00Z', '2024-05-01T10:00:12Z')).toBe('12 s');
    expect(formatDuration('2024-05-01T10:00:00Z', '2024-05-01T10:03:05Z')).toBe('3 min 05 s');
    expect(formatSeconds(3720)).toBe('1 h 02 min');
    expect(formatDuration('2024-05-01T10:00:00Z', null)).toBe('—');
    expect(formatDuration('2024-05-01T10:00:05Z', '2024-05-01T10:00:00Z')).toBe('—');
  });

  it('outcomes and result colours', () => {
    expect(runOutcome({ result: 'SUCCESS' })).toBe('SUCCESS');
    expect(runOutcome({ result: null, stage: 'USER_SCRIPT' })).toBe('Running (USER_SCRIPT)');
    expect(runOutcome({ result: '' })).toBe('Running');
    expect(resultClass('FAILED')).toContain('badge-failed');
    expect(resultClass('SUCCESS')).toContain('badge-ok');
  });

  it('never shows an empty string like a missing value', () => {
    expect(showValue('')).toBe('(empty string)');
    expect(showValue(null)).toBe('(not set)');
    expect(showValue('1.15')).toBe('1.15');
  });
});
