import { describe, expect, it } from 'vitest';
import { runErrorText, runFailureToast, unsuccessfulRun } from './runResult';

describe('run results', () => {
  it('says the error with its line, column and submodule', () => {
    expect(runErrorText({ message: 'division by zero', line: 4, column: 12 })).toBe('division by zero (line 4, column 12)');
    expect(runErrorText({ message: 'boom', line: 2, submodule: 'inner/a' })).toBe('boom (line 2, in submodule inner/a)');
    expect(runErrorText({ message: 'deadline' })).toBe('deadline');
    expect(runErrorText(null)).toBe('');
  });

  it('names FAILED, CANCELLED and TIMEOUT runs, not running or successful ones', () => {
    expect(unsuccessfulRun({ number: 3, result: 'FAILED', error: { message: 'x', line: 1 } })).toEqual({
      title: 'Run 3 FAILED',
      detail: 'x (line 1)',
    });
    expect(unsuccessfulRun({ number: 4, result: 'CANCELLED', error: null })).toEqual({ title: 'Run 4 CANCELLED', detail: 'The run was cancelled.' });
    expect(unsuccessfulRun({ number: 5, result: 'TIMEOUT', error: { message: 'The run took longer than 60 s.' } })?.title).toBe('Run 5 TIMEOUT');
    expect(unsuccessfulRun({ number: 6, result: 'SUCCESS', error: null })).toBeNull();
    expect(unsuccessfulRun({ number: 7, result: null, error: null })).toBeNull();
    expect(unsuccessfulRun(null)).toBeNull();
  });
});

describe('runFailureToast', () => {
  const modules = [{ id: 1, name: 'Scale', last_run: { id: 9, number: 3, result: null, started_at: null, ended_at: null, error: null } }];
  const ev = (data: unknown, type = 'run_finished') => ({ topic: 'modules:1', seq: 1, type, data });

  it('a failed run of a listed module: its name, the run number, the error and a link', () => {
    expect(runFailureToast(ev({ module: 1, run: 9, result: 'FAILED', error: { message: 'boom', line: 2, column: 5 } }), modules)).toEqual({
      id: 'run-9',
      kind: 'error',
      title: 'Scale: Run 3 FAILED',
      detail: 'boom (line 2, column 5)',
      link: { to: '/runs/9', label: 'Open the run' },
    });
  });

  it('no toast for a success, another event, or without a run id', () => {
    expect(runFailureToast(ev({ module: 1, run: 9, result: 'SUCCESS' }), modules)).toBeNull();
    expect(runFailureToast(ev({ module: 1, run: 9 }, 'run_started'), modules)).toBeNull();
    expect(runFailureToast(ev({ module: 1, result: 'FAILED' }), modules)).toBeNull();
  });

  it('an unknown module still says the result', () => {
    expect(runFailureToast(ev({ module: 2, run: 11, result: 'TIMEOUT', error: { message: 'late' } }), modules)).toMatchObject({
      title: 'Run TIMEOUT',
      detail: 'late',
    });
  });
});
