import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../../api/client';
import { clockTime } from '../../live/editLock';
import { FakeWebSocket } from '../../test/fakeWebSocket';
import { modeler } from '../../test/fixtures';
import { json, renderApp } from '../../test/renderApp';
import { stubApi, withEtag } from '../../test/stubApi';
import { aggregationFixture, moduleFixture, runFixture, typeVersionFixture } from './testSupport';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

const since = new Date(2024, 4, 1, 10, 42).toISOString();
const adminLock = { user: 'admin', user_name: 'Ada Admin', since, expires_at: since };

function api(overrides: Record<string, Parameters<typeof stubApi>[0][string]> = {}) {
  let lockFree = false;
  const calls = stubApi({
    'GET /api/me': () => json(200, modeler),
    'GET /api/modules/1': () => withEtag(200, moduleFixture(), '"r1"'),
    'GET /api/modules/1/status': () => json(200, { status: 'OutOfDate', reasons: [{ code: 'never_run', message: 'The module has never run.' }] }),
    'GET /api/module-type-versions/3': () => withEtag(200, typeVersionFixture(), '"t1"'),
    'GET /api/dataset-types': () => json(200, []),
    'GET /api/datasets': () => json(200, []),
    'POST /api/modules/1/lock': () =>
      lockFree
        ? json(200, { lock: { ...adminLock, user: 'modeler', user_name: 'Mona Modeler' } })
        : json(409, { code: 'locked', message: 'Being edited by admin.', details: { lock: adminLock } }),
    'DELETE /api/modules/1/lock': () => json(204, null),
    ...overrides,
  });
  return { calls, free: () => (lockFree = true) };
}

describe('Module Editor', () => {
  it('opening takes no lock; a change under someone else’s lock goes read-only, keeping it; once released, editing goes on', { timeout: 20_000 }, async () => {
    const { calls, free } = api({
      'PATCH /api/modules/1': () => json(412, { code: 'precondition_failed', message: 'Changed meanwhile.', details: null }),
    });
    const lockCalls = () => calls.filter((c) => c.path === '/api/modules/1/lock').map((c) => c.method);
    const user = userEvent.setup();
    renderApp('/modules/1');
    expect(await screen.findByRole('heading', { name: 'Emission Factors +15%', level: 1 })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('Description')).toBeEnabled());
    expect(lockCalls()).toEqual([]); // opening is not editing
    expect(screen.queryByTestId('lock-banner')).not.toBeInTheDocument();

    // The first change asks for the lock: someone else has it.
    await user.clear(screen.getByLabelText('Description'));
    const banner = await screen.findByTestId('lock-banner');
    expect(banner).toHaveTextContent(`Being edited by Ada Admin since ${clockTime(since)}`);
    expect(screen.queryByRole('button', { name: 'Break lock' })).not.toBeInTheDocument(); // admins only
    expect(screen.getByLabelText('Description')).toBeDisabled();
    expect(screen.getByTestId('lock-lost-edits')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    // The holder leaves: a lock event frees it; the next change takes it.
    const socket = FakeWebSocket.latest();
    act(() => socket.serverOpen());
    act(() => {
      socket.serverSend({ type: 'subscribed', topic: 'module:1', seq: 0 });
      socket.serverSend({ topic: 'module:1', seq: 1, type: 'lock', data: { module: 1, lock: null } });
    });
    free();
    await waitFor(() => expect(screen.getByLabelText('Description')).toBeEnabled());
    expect(screen.queryByTestId('lock-banner')).not.toBeInTheDocument();

    // A stale save (412) shows the conflict and keeps the edit.
    await user.type(screen.getByLabelText('Description'), 'my edit');
    await waitFor(() => expect(lockCalls()).toEqual(['POST', 'POST']));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByTestId('conflict')).toHaveTextContent('Someone else saved this module');
    expect(screen.getByLabelText('Description')).toHaveValue('my edit');
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.headers['If-Match']).toBe('"r1"');
    expect(patch.body).toEqual({ description: 'my edit' });
  });

  it('shows the status reasons and follows status events live', { timeout: 20_000 }, async () => {
    api();
    const user = userEvent.setup();
    renderApp('/modules/1');
    await screen.findByRole('heading', { name: 'Emission Factors +15%', level: 1 });
    await user.click(screen.getByRole('button', { name: 'Status' }));
    const reasons = await screen.findByTestId('status-reasons');
    expect(reasons).toHaveTextContent('The module has never run.');

    const socket = FakeWebSocket.latest();
    act(() => socket.serverOpen());
    const reason = 'Input input_emission_factors_dataset: "Emission Factors 2016" has a newer version (1) than version 0, read by the last run.';
    act(() => {
      socket.serverSend({ type: 'subscribed', topic: 'module:1', seq: 0 });
      socket.serverSend({
        topic: 'module:1',
        seq: 1,
        type: 'status',
        data: { module: 1, status: 'OutOfDate', reasons: [{ code: 'input_modified', message: reason }] },
      });
    });
    await waitFor(() => expect(screen.getByTestId('status-reasons')).toHaveTextContent(reason));
    act(() => socket.serverSend({ topic: 'module:1', seq: 2, type: 'status', data: { module: 1, status: 'UpToDate', reasons: [] } }));
    await waitFor(() => expect(screen.getByTestId('status-dialog-status')).toHaveAttribute('data-status', 'UpToDate'));
    expect(screen.queryByTestId('status-reasons')).not.toBeInTheDocument();
  });
});

describe('Module Editor (aggregation, docs/aggregation.md)', () => {
  const magda = () =>
    moduleFixture({
      name: 'MAGDA example 1',
      type_kind: 'composite',
      parameter_bindings: { request: '10', val: '11' },
      dataset_bindings: {},
      aggregation: aggregationFixture(true),
      status: 'OutOfDate',
      reasons: [{ code: 'process_pending', message: 'A process is pending: 2 runs (2 rows) aggregated since the last process.' }],
    });
  const magdaType = () =>
    typeVersionFixture({
      dataset_slots: [],
      parameter_slots: [
        { name: 'request', sql_type: 'bigint', mode: 'IN', is_optional: false, description: '' },
        { name: 'val', sql_type: 'bigint', mode: 'IN', is_optional: false, description: '' },
      ],
    });
  const magdaApi = (overrides: Record<string, Parameters<typeof stubApi>[0][string]> = {}) =>
    api({
      'GET /api/modules/1': () => withEtag(200, magda(), '"r1"'),
      'GET /api/modules/1/status': () => json(200, { status: 'OutOfDate', reasons: magda().reasons }),
      'GET /api/module-type-versions/3': () => withEtag(200, magdaType(), '"t1"'),
      ...overrides,
    });

  it('shows the pending process, the Aggregation tab with its state, and follows aggregation_changed', { timeout: 20_000 }, async () => {
    magdaApi();
    const user = userEvent.setup();
    renderApp('/modules/1');
    expect(await screen.findByTestId('process-pending')).toHaveTextContent('Process pending');
    // process_pending reads as any reason does.
    await user.click(screen.getByRole('button', { name: 'Status' }));
    expect(await screen.findByTestId('status-reasons')).toHaveTextContent('A process is pending: 2 runs (2 rows) aggregated since the last process.');
    await user.click(screen.getByRole('button', { name: 'OK' }));

    await user.click(await screen.findByRole('tab', { name: 'Aggregation' }));
    const panel = await screen.findByTestId('aggregation-panel');
    expect(within(panel).getByTestId('aggregation-pending')).toHaveTextContent('Yes 2 runs (2 rows) aggregated since the last process.');
    const row = within(panel).getByTestId('aggregation-agg_mod');
    expect(row).toHaveTextContent('agg_mod22');
    expect(within(row).getByTestId('state-rows-link')).toHaveAttribute('href', '/datasets/41?tab=rows&version=2');

    // A process committed: the state is empty, nothing is pending.
    const socket = FakeWebSocket.latest();
    act(() => socket.serverOpen());
    act(() => {
      socket.serverSend({ type: 'subscribed', topic: 'module:1', seq: 0 });
      socket.serverSend({ topic: 'module:1', seq: 1, type: 'aggregation_changed', data: { module: 1, aggregation: aggregationFixture(false) } });
    });
    await waitFor(() => expect(screen.getByTestId('aggregation-pending')).toHaveTextContent('No'));
    expect(screen.queryByTestId('process-pending')).not.toBeInTheDocument();
    expect(within(screen.getByTestId('aggregation-agg_mod')).getByTestId('state-rows-link')).toHaveAttribute('href', '/datasets/41?tab=rows&version=3');
  });

  it('Process posts mode process; a refusal (409) is shown, with what to do', { timeout: 20_000 }, async () => {
    const { calls } = magdaApi({
      'POST /api/modules/1/run': () => json(409, { code: 'already_running', message: 'Run 4 of this module has not finished.', details: { run: 4 } }),
    });
    const user = userEvent.setup();
    renderApp('/modules/1');
    await user.click(await screen.findByRole('button', { name: 'Process' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Run 4 of this module has not finished.');
    expect(alert).toHaveTextContent('A run or process of this module has not finished: process again once it has');
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/modules/1/run')?.body).toEqual({ mode: 'process' });
  });

  it('Run with parameters: a refused value is shown on its field; this run’s values are sent, the module’s are kept', { timeout: 20_000 }, async () => {
    let attempt = 0;
    const { calls } = magdaApi({
      'POST /api/modules/1/run': () =>
        ++attempt === 1
          ? json(400, { code: 'invalid_parameter_value', message: "Parameter request: 'ten' is not a bigint.", details: { parameters: { request: "'ten' is not a bigint." } } })
          : json(202, runFixture({ id: 21, run_number: 5 })),
    });
    const user = userEvent.setup();
    renderApp('/modules/1');
    await user.click(await screen.findByRole('button', { name: 'Run with parameters…' }));
    const dialog = screen.getByRole('dialog', { name: 'Run with parameters' });
    const request = within(dialog).getByLabelText('request for this run');
    expect(request).toHaveValue('10');
    await user.clear(request);
    await user.type(request, 'ten');
    await user.click(within(dialog).getByRole('button', { name: 'Run' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent("'ten' is not a bigint.");
    expect(request).toHaveAttribute('aria-invalid', 'true');
    await user.clear(request);
    await user.type(request, '20');
    expect(request).not.toHaveAttribute('aria-invalid'); // the message was about 'ten'
    await user.click(within(dialog).getByRole('button', { name: 'Run' }));
    expect(await screen.findByText('Run 5 (request = 20) started.')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const posts = calls.filter((c) => c.method === 'POST' && c.path === '/api/modules/1/run').map((c) => c.body);
    expect(posts).toEqual([
      { mode: 'run', parameters: { request: 'ten' } },
      { mode: 'run', parameters: { request: '20' } },
    ]);
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });
});
