import { describe, expect, it } from 'vitest';
import type { Module } from '../../api/types';
import { dashboard } from './dashboard';

function mod(id: number, name: string, extra: Partial<Module>): Module {
  return { id, name, status: 'UpToDate', last_run: null, ...extra } as Module;
}
const run = (id: number, result: string, at: string) => ({ id, number: 1, result, started_at: at, ended_at: result ? at : null }) as Module['last_run'];

describe('home dashboard (issue 14 #16)', () => {
  it('splits running work, OutOfDate modules and recent runs', () => {
    const modules = [
      mod(1, 'b stale', { status: 'OutOfDate', last_run: run(11, 'FAILED', '2024-05-01T10:00:00Z') }),
      mod(2, 'a stale', { status: 'OutOfDate' }),
      mod(3, 'going', { status: 'OutOfDate', last_run: run(13, '', '2024-05-02T10:00:00Z') }),
      mod(4, 'fine', { last_run: run(14, 'SUCCESS', '2024-05-03T10:00:00Z') }),
    ];
    const d = dashboard(modules);
    expect(d.running.map((m) => m.name)).toEqual(['going']);
    expect(d.outOfDate.map((m) => m.name)).toEqual(['a stale', 'b stale']);
    expect(d.recent.map((m) => m.name)).toEqual(['fine', 'b stale']);
    expect(dashboard(modules, 1).recent.map((m) => m.name)).toEqual(['fine']);
  });
});
