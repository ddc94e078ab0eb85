import { describe, expect, it } from 'vitest';
import { modeler, viewer } from '../../test/fixtures';
import { bringUpToDateHint, bringUpToDateNotice } from './bringUpToDate';
import { runFixture } from './testSupport';

const a = { id: 1, name: 'Scale factors' };
const b = { id: 2, name: 'Sum by fuel' };

describe('bring up to date notice', () => {
  it('counts the modules and the queued runs', () => {
    expect(bringUpToDateNotice([a], { runs: [runFixture()], already_up_to_date: [] })).toBe(
      'Bringing 1 module up to date: 1 run queued in dependency order.',
    );
  });

  it('names the modules that were already UpToDate', () => {
    const runs = [runFixture({ id: 20, module: 1 }), runFixture({ id: 21, module: 2 })];
    expect(bringUpToDateNotice([a, b], { runs, already_up_to_date: [2] })).toBe(
      'Bringing 2 modules up to date: 2 runs queued in dependency order. Already UpToDate (run anyway): Sum by fuel.',
    );
    expect(bringUpToDateNotice([a, b], { runs, already_up_to_date: [1, 7] })).toMatch(
      /Already UpToDate \(run anyway\): Scale factors, module #7\.$/,
    );
  });
});

describe('why Bring up to date is disabled (issue 14 #9)', () => {
  const stale = { project: 1, status: 'OutOfDate' as const };
  const readOnly = { project: 3, status: 'OutOfDate' as const };
  it('tells a viewer that the role is why', () => {
    expect(bringUpToDateHint(viewer, [stale], [])).toMatch(/^Your role \(Viewer\) can only look at modules/);
    expect(bringUpToDateHint(viewer, [stale], [stale])).toMatch(/needs the Modeler role/);
  });
  it('asks a modeler to select OutOfDate modules, or says which project is read-only', () => {
    expect(bringUpToDateHint(modeler, [stale, readOnly], [])).toBe('Select OutOfDate modules');
    expect(bringUpToDateHint(modeler, [stale, readOnly], [stale])).toBeUndefined();
    expect(bringUpToDateHint(modeler, [stale, readOnly], [readOnly])).toMatch(/You can only read the selected/);
  });
});
