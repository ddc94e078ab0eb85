import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../api/client';
import { FakeWebSocket } from '../test/fakeWebSocket';
import { modeler } from '../test/fixtures';
import { json, renderApp } from '../test/renderApp';
import { stubApi } from '../test/stubApi';
import { aggregationFixture, moduleFixture } from './modules/testSupport';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

const stale = moduleFixture({ id: 1, name: 'Emission Factors +15%' });
const fresh = moduleFixture({ id: 2, name: 'Other module', status: 'UpToDate', reasons: [] });

describe('Module Manager', () => {
  it('turns a badge green from a live status event, without refetching the list', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/module-types': () => json(200, []),
      'GET /api/modules': () => json(200, [stale, fresh]),
    });
    renderApp('/modules');
    const row = await screen.findByTestId('module-row-1');
    expect(within(row).getByTestId('module-status')).toHaveTextContent('OutOfDate');
    expect(within(screen.getByTestId('module-row-2')).getByTestId('module-status')).toHaveTextContent('UpToDate');

    const socket = FakeWebSocket.latest();
    act(() => socket.serverOpen());
    await waitFor(() => expect(socket.takeSent()).toContainEqual({ action: 'subscribe', topic: 'modules:1' }));
    const listCalls = calls.filter((c) => c.path === '/api/modules').length;
    act(() => {
      socket.serverSend({ type: 'subscribed', topic: 'modules:1', seq: 0 });
      socket.serverSend({ topic: 'modules:1', seq: 1, type: 'status', data: { module: 1, status: 'UpToDate', reasons: [] } });
    });
    await waitFor(() => expect(within(row).getByTestId('module-status')).toHaveAttribute('data-status', 'UpToDate'));
    expect(calls.filter((c) => c.path === '/api/modules')).toHaveLength(listCalls);
  });

  it('marks a pending process from the list’s aggregation; aggregation_changed takes the mark away in place', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/module-types': () => json(200, []),
      'GET /api/modules': () => json(200, [{ ...stale, aggregation: aggregationFixture(true) }, { ...fresh, aggregation: null }]),
    });
    renderApp('/modules');
    const row = await screen.findByTestId('module-row-1');
    expect(within(row).getByTestId('process-pending')).toHaveTextContent('Process pending');
    expect(within(row).getByTestId('process-pending')).toHaveAttribute('title', 'A process is pending: 2 runs (2 rows) aggregated since the last process.');
    expect(within(screen.getByTestId('module-row-2')).queryByTestId('process-pending')).not.toBeInTheDocument();

    const socket = FakeWebSocket.latest();
    act(() => socket.serverOpen());
    await waitFor(() => expect(socket.takeSent()).toContainEqual({ action: 'subscribe', topic: 'modules:1' }));
    const listCalls = calls.filter((c) => c.path === '/api/modules').length;
    act(() => {
      socket.serverSend({ type: 'subscribed', topic: 'modules:1', seq: 0 });
      socket.serverSend({ topic: 'modules:1', seq: 1, type: 'aggregation_changed', data: { module: 1, aggregation: aggregationFixture(false) } });
    });
    await waitFor(() => expect(within(row).queryByTestId('process-pending')).not.toBeInTheDocument());
    expect(calls.filter((c) => c.path === '/api/modules')).toHaveLength(listCalls);
  });

  it('sends the filters to the API and brings the selected OutOfDate modules up to date', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/module-types': () => json(200, []),
      'GET /api/modules': () => json(200, [stale, fresh]),
      'POST /api/modules/bring-up-to-date': () => json(202, { runs: [{ id: 20, module: 1, run_number: 2 }], already_up_to_date: [] }),
    });
    const user = userEvent.setup();
    const { router } = renderApp('/modules?status=OutOfDate&composite=false');
    await screen.findByTestId('module-row-1');
    expect(calls.find((c) => c.path === '/api/modules')!.query.toString()).toBe('composite=false&status=OutOfDate');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Final' }), 'true');
    await waitFor(() => expect(router.state.location.search).toBe('?composite=false&final=true&status=OutOfDate'));

    const bring = screen.getByRole('button', { name: /Bring up to date/ });
    expect(bring).toBeDisabled();
    await user.click(screen.getByRole('checkbox', { name: 'Select Emission Factors +15%' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select Other module' }));
    // Only the OutOfDate one is brought up to date; two selected make Compare possible.
    expect(screen.getByRole('button', { name: 'Compare' })).toBeEnabled();
    await user.click(screen.getByRole('button', { name: 'Bring up to date (1)' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Bringing 1 module up to date: 1 run queued in dependency order.');
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ modules: [1] });

    await user.click(screen.getByRole('button', { name: 'Compare' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/modules/compare'));
    expect(router.state.location.search).toBe('?first=1&second=2');
  });

  it('says which of the selected modules were already UpToDate', { timeout: 20_000 }, async () => {
    const third = moduleFixture({ id: 3, name: 'Third module' });
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/module-types': () => json(200, []),
      'GET /api/modules': () => json(200, [stale, fresh, third]),
      // Module 3 turned UpToDate (another user's run) before the request reached the server.
      'POST /api/modules/bring-up-to-date': () =>
        json(202, {
          runs: [
            { id: 20, module: 3, run_number: 4 },
            { id: 21, module: 1, run_number: 2 },
          ],
          already_up_to_date: [3],
        }),
    });
    const user = userEvent.setup();
    renderApp('/modules');
    await user.click(await screen.findByRole('checkbox', { name: 'Select Emission Factors +15%' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select Third module' }));
    await user.click(screen.getByRole('button', { name: 'Bring up to date (2)' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Bringing 2 modules up to date: 2 runs queued in dependency order. Already UpToDate (run anyway): Third module.',
    );
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ modules: [1, 3] });
  });
});

describe('removing a module', () => {
  it('lists the consequences from the removal plan and can remove the unused outputs', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/module-types': () => json(200, []),
      'GET /api/modules': () => json(200, [stale]),
      'GET /api/modules/1/removal-plan': () =>
        json(200, {
          allowed: true,
          outputs: [
            { dataset: 30, name: 'EF +15% #4', removable: true, used_by: [] },
            { dataset: 31, name: 'EF +15% #5', removable: false, used_by: ['Downstream'], reason: 'Used by Downstream.' },
          ],
        }),
      'DELETE /api/modules/1': () => json(204, null),
    });
    const user = userEvent.setup();
    renderApp('/modules');
    await user.click(await screen.findByRole('button', { name: 'Remove Emission Factors +15%' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove module' });
    const outputs = await within(dialog).findByTestId('removal-outputs');
    expect(outputs).toHaveTextContent('EF +15% #4 — not used elsewhere');
    expect(outputs).toHaveTextContent('EF +15% #5 — kept: Used by Downstream.');
    await user.click(within(dialog).getByRole('checkbox', { name: /Also remove the 1 output dataset nothing else uses/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Emission Factors +15% was removed.');
    const del = calls.find((c) => c.method === 'DELETE')!;
    expect(del.query.get('remove_outputs')).toBe('true');
  });

  it('says why when the plan refuses', { timeout: 20_000 }, async () => {
    stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/module-types': () => json(200, []),
      'GET /api/modules': () => json(200, [stale]),
      'GET /api/modules/1/removal-plan': () => json(200, { allowed: false, reason: 'Only an admin can remove a final module.', outputs: [] }),
    });
    const user = userEvent.setup();
    renderApp('/modules');
    await user.click(await screen.findByRole('button', { name: 'Remove Emission Factors +15%' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove module' });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Only an admin can remove a final module.');
    expect(within(dialog).queryByRole('button', { name: 'Remove' })).not.toBeInTheDocument();
  });
});
