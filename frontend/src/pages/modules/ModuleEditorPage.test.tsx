import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../../api/client';
import { clockTime } from '../../live/editLock';
import { FakeWebSocket } from '../../test/fakeWebSocket';
import { modeler } from '../../test/fixtures';
import { json, renderApp } from '../../test/renderApp';
import { stubApi, withEtag } from '../../test/stubApi';
import { moduleFixture, typeVersionFixture } from './testSupport';

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
