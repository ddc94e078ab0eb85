import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../live/socket';
import { applyModulesEvent, applyRunEvent, filterLog, recordIsBehind, runLiveFromRun } from './live';
import { histogramResult, progressiveRun, progressiveStep, steeringRecord } from './progressive/fixtures';
import { moduleFixture, runFixture } from './testSupport';

const ev = (type: string, data: unknown, topic = 'modules:1'): LiveEvent => ({ topic, seq: 1, type, data });

describe('topic `modules` → the Module Manager list', () => {
  const a = moduleFixture({ id: 1, name: 'A' });
  const b = moduleFixture({ id: 2, name: 'B', status: 'UpToDate', reasons: [] });

  it('a status event changes the badge and reasons in place, nothing refetched', () => {
    const reasons = [{ code: 'input_modified', message: 'Input X was modified after the last run started.' }];
    const { list, refetch } = applyModulesEvent([a, b], ev('status', { module: 2, status: 'OutOfDate', reasons }));
    expect(refetch).toBe(false);
    expect(list[1]).toMatchObject({ id: 2, status: 'OutOfDate', reasons });
    expect(list[0]).toBe(a);
  });

  it('under a status filter a module that stops matching leaves, one that starts matching is fetched', () => {
    const params = { status: 'UpToDate' as const };
    expect(applyModulesEvent([b], ev('status', { module: 2, status: 'OutOfDate', reasons: [] }), params)).toEqual({ list: [], refetch: false });
    expect(applyModulesEvent([b], ev('status', { module: 1, status: 'UpToDate', reasons: [] }), params).refetch).toBe(true);
    expect(applyModulesEvent([b], ev('status', { module: 1, status: 'OutOfDate', reasons: [] }), params).refetch).toBe(false);
  });

  it('removed modules leave, created ones refetch, malformed status refetches', () => {
    expect(applyModulesEvent([a, b], ev('module_removed', { module: 1 })).list).toEqual([b]);
    expect(applyModulesEvent([a], ev('module_created', { module: 5 })).refetch).toBe(true);
    expect(applyModulesEvent([a], ev('status', { module: 1, status: 'Stale' })).refetch).toBe(true);
    expect(applyModulesEvent([a], ev('something_else', {}))).toEqual({ list: [a], refetch: false });
  });

  it('a finished run patches the last run it knows; another run refetches', () => {
    const running = moduleFixture({ id: 1, last_run: { id: 9, number: 3, result: null, started_at: 's', ended_at: null, error: null } });
    const done = applyModulesEvent([running], ev('run_finished', { module: 1, run: 9, result: 'SUCCESS', ended_at: 'e' }));
    expect(done.refetch).toBe(false);
    expect(done.list[0].last_run).toMatchObject({ id: 9, result: 'SUCCESS', ended_at: 'e' });
    expect(applyModulesEvent([running], ev('run_finished', { module: 1, run: 10, result: 'FAILED' })).refetch).toBe(true);
    const error = { message: 'division by zero', line: 4, column: 12 };
    const failed = applyModulesEvent([running], ev('run_finished', { module: 1, run: 9, result: 'FAILED', ended_at: 'e', error }));
    expect(failed.list[0].last_run).toMatchObject({ id: 9, result: 'FAILED', error });
    expect(applyModulesEvent([running], ev('run_started', { module: 1, run: 10 })).refetch).toBe(true);
    expect(applyModulesEvent([running], ev('run_started', { module: 77, run: 10 })).refetch).toBe(false);
  });
});

describe('topic `run:<id>` → the live run view', () => {
  it('adds log lines once, follows stages and progress per submodule, ends with the result', () => {
    let state = runLiveFromRun(runFixture());
    expect(state.log).toHaveLength(1);
    const line = { path: '', at: '2024-05-01T10:00:02Z', level: 'INFO', message: 'Setup done.' };
    state = applyRunEvent(state, ev('log', line, 'run:9'));
    state = applyRunEvent(state, ev('log', line, 'run:9'));
    state = applyRunEvent(state, ev('log', { path: '', at: '2024-05-01T10:00:01Z', level: 'INFO', message: 'Run 3 started.' }, 'run:9'));
    expect(state.log.map((l) => l.message)).toEqual(['Run 3 started.', 'Setup done.']);

    state = applyRunEvent(state, ev('stage', { stage: 'SUBMODULES', path: null }, 'run:9'));
    state = applyRunEvent(state, ev('stage', { stage: 'USER_SCRIPT', path: 'scale' }, 'run:9'));
    state = applyRunEvent(state, ev('progress', { path: 'scale', state: 'running', done: 50, total: 200 }, 'run:9'));
    expect(state.stage).toBe('SUBMODULES');
    expect(state.steps.scale).toEqual({ path: 'scale', stage: 'USER_SCRIPT', state: 'running', done: 50, total: 200 });

    state = applyRunEvent(state, ev('cancel_requested', { run: 9 }, 'run:9'));
    expect(state.cancelRequested).toBe(true);
    const error = { message: 'division by zero', line: 2, column: 8 };
    state = applyRunEvent(state, ev('finished', { run: 9, result: 'FAILED', error, ended_at: '2024-05-01T10:00:09Z' }, 'run:9'));
    expect(state).toMatchObject({ stage: 'COMPLETED', result: 'FAILED', error, endedAt: '2024-05-01T10:00:09Z' });
  });

  it('filters the log by level', () => {
    const state = runLiveFromRun(
      runFixture({
        log: [
          { path: '', at: '1', level: 'INFO', message: 'a' },
          { path: '', at: '2', level: 'ERROR', message: 'b' },
        ],
      }),
    );
    expect(filterLog(state.log, new Set())).toHaveLength(2);
    expect(filterLog(state.log, new Set(['ERROR'])).map((l) => l.message)).toEqual(['b']);
  });
});

describe('progressive runs (docs/progressive.md, the contract)', () => {
  const ev2 = (type: string, data: unknown, seq = 1): LiveEvent => ({ topic: 'run:9', seq, type, data });

  it('draws the stored partial result at once, then follows partial, progress and steered events', () => {
    let state = runLiveFromRun(progressiveRun());
    expect(state.steps.hist).toMatchObject({ state: 'running', done: 250_000, total: 1_000_000, partials: 1 });
    expect(state.steps.hist.partial).toMatchObject({ kind: 'histogram', final: false });
    state = applyRunEvent(state, ev2('progress', { path: 'hist', state: 'running', done: 500_000, total: 1_000_000, rate: 2e6, elapsed: 0.25, written: {} }));
    expect(state.steps.hist).toMatchObject({ done: 500_000, rate: 2e6, elapsed: 0.25, written: {} });
    state = applyRunEvent(state, ev2('partial', { path: 'hist', kind: 'histogram', result: histogramResult(4, 2), final: false }));
    expect(state.steps.hist.partials).toBe(2);
    expect((state.steps.hist.partial?.result.counts as number[])[0]).toBe(2);
    state = applyRunEvent(state, ev2('steered', steeringRecord()));
    state = applyRunEvent(state, ev2('steered', steeringRecord()));
    expect(state.steering).toHaveLength(1);
    state = applyRunEvent(state, ev2('partial', { path: 'hist', kind: 'histogram', result: histogramResult(8), final: true }));
    expect(state.steps.hist.partial).toMatchObject({ final: true });
    expect(state.steps.hist.partials).toBe(3);
  });

  it('a SQL step shows rows written per output', () => {
    const state = applyRunEvent(runLiveFromRun(runFixture()), ev2('progress', { path: 'a', state: 'running', done: 0, total: null, rate: null, elapsed: 12.5, written: { output: 1200 } }));
    expect(state.steps.a).toMatchObject({ state: 'running', elapsed: 12.5, written: { output: 1200 }, rate: null });
  });

  it('min / max keep the values seen on the page as a trend (a steering change starts it over)', () => {
    let state = runLiveFromRun(runFixture());
    for (const v of [3, 5, 5, 8]) state = applyRunEvent(state, ev2('partial', { path: 'm', kind: 'max', result: { values: { x: v } }, final: false }));
    expect(state.steps.m.trend?.map((p) => p.values.x)).toEqual([3, 5, 8]);
    state = applyRunEvent(state, ev2('steered', { path: 'm', parameters: { columns: 'y' }, at: 'now', user: 'u' }));
    expect(state.steps.m.trend).toEqual([]);
  });

  it('a refetched record keeps live-only figures, a newer live partial result, and the steering seen live', () => {
    let state = runLiveFromRun(progressiveRun());
    state = applyRunEvent(state, ev2('progress', { path: 'hist', state: 'running', done: 600_000, total: 1_000_000, rate: 1e6, elapsed: 0.6, written: {} }));
    state = applyRunEvent(state, ev2('partial', { path: 'hist', kind: 'histogram', result: histogramResult(4, 3), final: false }));
    state = applyRunEvent(state, ev2('steered', steeringRecord()));
    const refetched = runLiveFromRun(progressiveRun(), state);
    expect(refetched.steps.hist).toMatchObject({ done: 600_000, rate: 1e6, elapsed: 0.6 });
    expect((refetched.steps.hist.partial?.result.counts as number[])[0]).toBe(3);
    expect(refetched.steering).toHaveLength(1);
    // The final record wins.
    const final = progressiveRun({
      result: 'SUCCESS',
      steering: [steeringRecord()],
      steps: [progressiveStep({ result: 'SUCCESS', progressive: { kind: 'histogram', result: histogramResult(8), final: true, state: 'terminated', done: 1_000_000, total: 1_000_000 } })],
    });
    const ended = runLiveFromRun(final, refetched);
    expect(ended.steps.hist).toMatchObject({ state: 'terminated', done: 1_000_000, partial: { final: true } });
    expect(ended.steering).toHaveLength(1);
  });

  it("a finished run's step without a stored result draws the final one from run.results", () => {
    const run = progressiveRun({
      result: 'SUCCESS',
      results: { hist: { kind: 'histogram', ...histogramResult(4) } },
      steps: [progressiveStep({ result: 'SUCCESS', progressive: null })],
    });
    expect(runLiveFromRun(run).steps.hist.partial).toMatchObject({ kind: 'histogram', final: true, result: { counts: [1, 2, 3, 4] } });
    expect(runLiveFromRun({ ...run, result: 'FAILED' }).steps.hist.partial).toBeUndefined();
  });
});

describe('the run record behind the live events', () => {
  const runEvent = (type: string, data: unknown) => ev(type, data, 'run:7');

  it('a page opened before the worker made the step records fetches the record when a step shows up', () => {
    const queued = progressiveRun({ steps: [] });
    expect(recordIsBehind(queued, runEvent('stage', { stage: 'USER_SCRIPT', path: '' }))).toBe(true);
    expect(recordIsBehind(queued, runEvent('partial', { path: '', kind: 'histogram', result: {}, final: false }))).toBe(true);
    expect(recordIsBehind(queued, runEvent('stage', { stage: 'SUBMODULES', path: null }))).toBe(false);
    expect(recordIsBehind(queued, runEvent('log', { path: '', at: '', level: 'INFO', message: 'x' }))).toBe(false);
  });

  it('a step recorded before it started is fetched again when it starts (its parameters are recorded then)', () => {
    const made = progressiveRun({ steps: [progressiveStep({ started_at: null, result: '', parameters: [] })] });
    expect(recordIsBehind(made, runEvent('stage', { stage: 'USER_SCRIPT', path: 'hist' }))).toBe(true);
    expect(recordIsBehind(made, runEvent('progress', { path: 'hist', state: 'running', done: 1, total: 2 }))).toBe(false);
    const started = progressiveRun({ steps: [progressiveStep({ started_at: '2026-01-01T00:00:00Z' })] });
    expect(recordIsBehind(started, runEvent('stage', { stage: 'USER_SCRIPT', path: 'hist' }))).toBe(false);
  });
});
