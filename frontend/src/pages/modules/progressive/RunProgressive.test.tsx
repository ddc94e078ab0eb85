import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../../../api/client';
import { FakeWebSocket } from '../../../test/fakeWebSocket';
import { modeler } from '../../../test/fixtures';
import { json, renderApp } from '../../../test/renderApp';
import { stubApi, withEtag } from '../../../test/stubApi';
import { moduleFixture } from '../testSupport';
import { histogramResult, histogramTypeVersion, partialEvent, progressEvent, progressiveRun, progressiveStep, steeringRecord } from './fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe('Run view of a progressive run', () => {
  it('draws the stored partial result at once, follows live partials, steers, shows refusals and ends final', { timeout: 20_000 }, async () => {
    let finished = false;
    let steerReply: () => Response = () => json(202, { accepted: true });
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/runs/9': () =>
        json(
          200,
          finished
            ? progressiveRun({
                result: 'SUCCESS',
                stage: 'COMPLETED',
                ended_at: '2024-05-01T10:00:09Z',
                steering: [steeringRecord({ parameters: { bins: '8' } })],
                steps: [
                  progressiveStep({
                    result: 'SUCCESS',
                    stage: 'COMPLETED',
                    progressive: { kind: 'histogram', result: histogramResult(8, 5), final: true, state: 'terminated', done: 1_000_000, total: 1_000_000 },
                  }),
                ],
              })
            : progressiveRun(),
        ),
      'GET /api/modules/1': () => withEtag(200, moduleFixture({ name: 'Histogram demo' }), '"r1"'),
      'GET /api/module-type-versions/70': () => withEtag(200, histogramTypeVersion(), '"t1"'),
      'POST /api/runs/9/steer': () => steerReply(),
    });
    renderApp('/runs/9');
    // Mid-run: the stored latest partial result is drawn at once, provisional.
    const panel = await screen.findByTestId('partial-hist');
    expect(panel).toHaveAttribute('data-kind', 'histogram');
    expect(within(panel).getByTestId('partial-mark')).toHaveTextContent('provisional');
    expect(within(panel).getByTestId('histogram-chart')).toHaveAttribute('data-bars', '4');
    expect(within(panel).getByTestId('histogram-bins')).toHaveTextContent('4 bins');
    const step = screen.getByTestId('step-hist');
    expect(within(step).getByTestId('scheduler-state')).toHaveTextContent('running');
    expect(within(step).getByTestId('step-figures')).toHaveTextContent('250,000 / 1,000,000 rows (25 %)');

    const socket = FakeWebSocket.latest();
    act(() => socket.serverOpen());
    act(() => {
      socket.serverSend({ type: 'subscribed', topic: 'run:9', seq: 0 });
      socket.serverSend({ topic: 'run:9', seq: 1, type: 'progress', data: progressEvent({ path: 'hist', done: 500_000, total: 1_000_000, rate: 2_000_000, elapsed: 0.5 }) });
      socket.serverSend({ topic: 'run:9', seq: 2, type: 'partial', data: partialEvent({ path: 'hist', result: histogramResult(4, 2) }) });
    });
    await waitFor(() => expect(screen.getByTestId('partial-hist')).toHaveAttribute('data-partials', '2'));
    expect(within(step).getByTestId('step-figures')).toHaveTextContent('500,000 / 1,000,000 rows (50 %) · 2,000,000 rows/s · 0.5 s elapsed');

    // Steering: the form holds the IN parameters; the bin count comes from the result.
    const form = await screen.findByTestId('steer-hist');
    const bins = within(form).getByRole('textbox', { name: /bins/ });
    expect(bins).toHaveValue('4');
    // A refusal stays next to the form.
    steerReply = () => json(400, { code: 'invalid_parameter_value', message: 'bins: "many" is not an integer.', details: null });
    fireEvent.change(bins, { target: { value: 'many' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Apply' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('bins: "many" is not an integer.');
    steerReply = () => json(202, { accepted: true });
    fireEvent.change(bins, { target: { value: '8' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Apply' }));
    expect(await within(form).findByTestId('steer-status')).toHaveTextContent('Sent, applied between two steps: bins = 8');
    expect(calls.filter((c) => c.path === '/api/runs/9/steer').at(-1)?.body).toEqual({ path: 'hist', parameters: { bins: '8' } });
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();

    act(() => {
      socket.serverSend({ topic: 'run:9', seq: 3, type: 'steered', data: steeringRecord({ parameters: { bins: '8' } }) });
      socket.serverSend({ topic: 'run:9', seq: 4, type: 'partial', data: partialEvent({ path: 'hist', result: histogramResult(8) }) });
    });
    expect(await within(form).findByText('Applied: bins = 8')).toBeInTheDocument();
    expect(screen.getByTestId('histogram-chart')).toHaveAttribute('data-bars', '8');
    const history = screen.getByTestId('run-steering');
    expect(within(history).getByText('bins = 8')).toBeInTheDocument();
    expect(within(history).getByText('modeler')).toBeInTheDocument();

    finished = true;
    act(() => {
      socket.serverSend({ topic: 'run:9', seq: 5, type: 'partial', data: partialEvent({ path: 'hist', result: histogramResult(8, 5), final: true }) });
      socket.serverSend({ topic: 'run:9', seq: 6, type: 'finished', data: { run: 9, result: 'SUCCESS', error: null, ended_at: '2024-05-01T10:00:09Z' } });
    });
    await waitFor(() => expect(screen.getByTestId('run-result')).toHaveTextContent('SUCCESS'));
    await waitFor(() => expect(within(screen.getByTestId('partial-hist')).getByTestId('partial-mark')).toHaveTextContent('final'));
    expect(screen.getByTestId('partial-hist')).toHaveAttribute('data-final', 'true');
    expect(within(screen.getByTestId('steer-hist')).getByRole('button', { name: 'Apply' })).toBeDisabled();
    expect(within(screen.getByTestId('run-steering')).getAllByRole('row')).toHaveLength(2);
  });
});
