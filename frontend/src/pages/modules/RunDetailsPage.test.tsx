import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../../api/client';
import { FakeWebSocket } from '../../test/fakeWebSocket';
import { modeler } from '../../test/fixtures';
import { json, renderApp } from '../../test/renderApp';
import { stubApi, withEtag } from '../../test/stubApi';
import { algorithmExcerpt } from './RunDetailsPage';
import { moduleFixture, runFixture, typeVersionFixture } from './testSupport';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe('History Details', () => {
  it('is live while the run goes: stage, progress, log lines; then the record with the error line', { timeout: 20_000 }, async () => {
    let finished = false;
    const error = { message: 'division by zero', line: 2, column: 8 };
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/runs/9': () =>
        json(
          200,
          finished
            ? runFixture({
                result: 'FAILED',
                stage: 'COMPLETED',
                ended_at: '2024-05-01T10:00:09Z',
                error,
                steps: [
                  {
                    path: '',
                    name: 'Emission Factors +15%',
                    type_version: 3,
                    setup_script: 'CREATE ROLE r;',
                    user_script: 'SELECT 1/0;',
                    teardown_script: 'DROP ROLE r;',
                    stage: 'COMPLETED',
                    result: 'FAILED',
                    started_at: null,
                    ended_at: null,
                    seconds: 0.5,
                    error,
                    datasets: [],
                    parameters: [],
                    progressive: null,
                  },
                ],
              })
            : runFixture(),
        ),
      'GET /api/modules/1': () => withEtag(200, moduleFixture(), '"r1"'),
      'GET /api/module-type-versions/3': () => withEtag(200, typeVersionFixture(), '"t1"'),
    });
    renderApp('/runs/9');
    expect(await screen.findByRole('heading', { name: 'Run 3 of Emission Factors +15%', level: 1 })).toBeInTheDocument();
    expect(screen.getByTestId('run-result')).toHaveTextContent('Running');
    // The type version by its type's name and number, linked (issue 14 #6).
    expect(screen.getByRole('link', { name: 'Scale Emission Factors version 0' })).toHaveAttribute('href', '/module-type-versions/3');
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeEnabled();
    // Cancel asks first (issue 14 #16); "Keep running" sends nothing.
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    const confirm = screen.getByRole('dialog', { name: 'Cancel run' });
    expect(confirm).toHaveTextContent('Cancel run 3 of Emission Factors +15%?');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Keep running' }));
    expect(screen.queryByRole('dialog', { name: 'Cancel run' })).not.toBeInTheDocument();
    expect(calls.some((c) => c.path === '/api/runs/9/cancel')).toBe(false);

    const socket = FakeWebSocket.latest();
    act(() => socket.serverOpen());
    act(() => {
      socket.serverSend({ type: 'subscribed', topic: 'run:9', seq: 0 });
      socket.serverSend({ topic: 'run:9', seq: 1, type: 'stage', data: { stage: 'USER_SCRIPT', path: null } });
      socket.serverSend({ topic: 'run:9', seq: 2, type: 'progress', data: { path: '', state: 'running', done: 4, total: 8 } });
      socket.serverSend({ topic: 'run:9', seq: 3, type: 'log', data: { path: '', at: '2024-05-01T10:00:02Z', level: 'WARNING', message: 'slow' } });
    });
    expect(await screen.findByText('slow')).toBeInTheDocument();
    expect(screen.getByTestId('run-stage')).toHaveTextContent('USER_SCRIPT');
    expect(screen.getByRole('progressbar', { name: 'Progress of the module' })).toHaveAttribute('aria-valuenow', '50');

    finished = true;
    act(() => socket.serverSend({ topic: 'run:9', seq: 4, type: 'finished', data: { run: 9, result: 'FAILED', error, ended_at: '2024-05-01T10:00:09Z' } }));
    await waitFor(() => expect(screen.getByTestId('run-result')).toHaveTextContent('FAILED'));
    expect(await screen.findByTestId('run-error-where')).toHaveTextContent('algorithm line 2, column 8');
    const excerpt = await screen.findByLabelText('Algorithm lines around the error');
    expect(within(excerpt).getByText(/SELECT #\{increase_factor\}/)).toHaveClass('mod-excerpt-hit');
    expect(await screen.findByText('User script')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.path === '/api/runs/9').length).toBeGreaterThanOrEqual(2);
    // Once finished, the record is the log's truth.
    expect(within(screen.getByTestId('run-log')).getByText('Run 3 started.')).toBeInTheDocument();
  });

  it('cuts two algorithm lines either side of the error', () => {
    expect(algorithmExcerpt('a\nb\nc\nd\ne\nf', 1).map((l) => l.number)).toEqual([1, 2, 3]);
    expect(algorithmExcerpt('a\nb\nc\nd\ne\nf', 4).map((l) => l.text)).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(algorithmExcerpt('a', 5)).toEqual([]);
    expect(algorithmExcerpt('', 1)).toEqual([]);
  });
});
