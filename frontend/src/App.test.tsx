import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiGet, setUnauthorizedHandler } from './api/client';
import type { Health, Me } from './api/types';
import { FakeWebSocket } from './test/fakeWebSocket';
import { json, mockApi, renderApp } from './test/renderApp';

const alice: Me = {
  id: 1,
  username: 'alice',
  full_name: 'Alice Martin',
  email: 'alice@example.org',
  role: 'modeler',
  projects: [
    { id: 2, name: 'Hydrology', role: 'modeler' },
    { id: 3, name: 'Traffic', role: 'viewer' },
  ],
};

const degraded: Health = {
  status: 'degraded',
  checks: {
    app_db: { ok: true, detail: 'PostgreSQL 16' },
    workspace_db: { ok: true, detail: 'ok' },
    redis: { ok: true, detail: 'ok' },
    worker: { ok: false, detail: 'no worker answered' },
  },
};

const anonymous = () => json(401, { code: 'not_authenticated', message: 'Log in.', details: null });

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
  document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
});

describe('login', () => {
  it('sends an anonymous user to /login and back to the page asked for after login', async () => {
    let signedIn = false;
    document.cookie = 'csrftoken=anon-token';
    const { calls } = mockApi({
      'GET /api/me': () => (signedIn ? json(200, alice) : anonymous()),
      'POST /api/auth/login': (init) => {
        const body = JSON.parse(String(init.body));
        if (body.password !== 'secret') {
          return json(400, { code: 'invalid_credentials', message: 'Wrong username or password.', details: null });
        }
        signedIn = true;
        document.cookie = 'csrftoken=rotated-token';
        return json(200, alice);
      },
      'GET /api/health': () => json(200, { ...degraded, status: 'ok' }),
    });
    const user = userEvent.setup();
    const { router } = renderApp('/datasets?sort=name');

    expect(await screen.findByRole('heading', { name: 'ModuleBench' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');

    await user.type(screen.getByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    const loginCall = calls.find((c) => c.method === 'POST')!;
    expect(loginCall.init.headers['X-CSRFToken']).toBe('anon-token');

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Datasets' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/datasets');
    expect(router.state.location.search).toBe('?sort=name');
    expect(screen.getByTestId('user-name')).toHaveTextContent('Alice Martin');
  });

  it('sends a signed-in user away from /login', async () => {
    mockApi({ 'GET /api/me': () => json(200, alice), 'GET /api/health': () => json(200, degraded) });
    const { router } = renderApp('/login');
    expect(await screen.findByRole('heading', { level: 1, name: 'Home' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/');
  });
});

describe('shell', () => {
  it('shows the user, the navigation, the live status and the dashboard', async () => {
    mockApi({ 'GET /api/me': () => json(200, alice), 'GET /api/health': () => json(503, degraded) });
    const user = userEvent.setup();
    const { router } = renderApp('/');

    expect(await screen.findByTestId('user-name')).toHaveTextContent('Alice Martin');
    expect(screen.getByTestId('user-role')).toHaveTextContent(/^Modeler$/);
    const nav = screen.getByRole('navigation');
    for (const name of ['Home', 'Datasets', 'Module Types', 'Modules', 'History']) {
      expect(within(nav).getByRole('link', { name })).toBeInTheDocument();
    }

    // live indicator follows the socket
    expect(screen.getByTestId('live-status')).toHaveTextContent('connecting');
    act(() => FakeWebSocket.latest().serverOpen());
    expect(screen.getByTestId('live-status')).toHaveTextContent('live');
    act(() => FakeWebSocket.latest().serverClose(1006));
    expect(screen.getByTestId('live-status')).toHaveTextContent('offline');

    // projects
    const projects = screen.getByTestId('projects-table');
    expect(within(projects).getByText('Hydrology')).toBeInTheDocument();
    expect(within(projects).getByText('Viewer')).toBeInTheDocument();

    // health (503 is data, not an error)
    const worker = await screen.findByTestId('health-worker');
    expect(worker).toHaveTextContent('failed');
    expect(worker).toHaveTextContent('no worker answered');
    expect(screen.getByTestId('health-app_db')).toHaveTextContent('ok');
    expect(screen.getByTestId('health-status')).toHaveTextContent('degraded');

    for (const [name, path] of [
      ['Module Types', '/module-types'],
      ['Modules', '/modules'],
      ['History', '/history'],
      ['Datasets', '/datasets'],
    ]) {
      await user.click(within(nav).getByRole('link', { name }));
      expect(await screen.findByRole('heading', { level: 1, name })).toBeInTheDocument();
      expect(router.state.location.pathname).toBe(path);
    }
  });

  it('falls back to the username when there is no full name', async () => {
    mockApi({
      'GET /api/me': () => json(200, { ...alice, full_name: '', role: 'admin', projects: [] }),
      'GET /api/health': () => json(200, degraded),
    });
    renderApp('/');
    expect(await screen.findByTestId('user-name')).toHaveTextContent('alice');
    expect(screen.getByTestId('user-role')).toHaveTextContent('Admin');
    expect(screen.getByText('You are not a member of any project yet.')).toBeInTheDocument();
  });

  it('logs out: calls the API, closes the socket and goes to /login', async () => {
    document.cookie = 'csrftoken=tok';
    let signedIn = true;
    const { calls } = mockApi({
      'GET /api/me': () => (signedIn ? json(200, alice) : anonymous()),
      'GET /api/health': () => json(200, degraded),
      'POST /api/auth/logout': () => {
        signedIn = false;
        return json(204, null);
      },
    });
    const user = userEvent.setup();
    const { router, socket, queryClient } = renderApp('/modules');
    await screen.findByRole('heading', { level: 1, name: 'Modules' });
    act(() => FakeWebSocket.latest().serverOpen());

    await user.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('button', { name: 'Log in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
    const logoutCall = calls.find((c) => c.method === 'POST' && c.path === '/api/auth/logout')!;
    expect(logoutCall.init.headers['X-CSRFToken']).toBe('tok');
    expect(socket.status).toBe('offline');
    expect(queryClient.getQueryData(['me'])).toBeNull();
    expect(queryClient.getQueryCache().findAll().map((q) => q.queryKey[0])).toEqual(['me']);
  });

  it('a 401 from any call sends the user to /login and back after login', async () => {
    let signedIn = true;
    mockApi({
      'GET /api/me': () => (signedIn ? json(200, alice) : anonymous()),
      'GET /api/health': () => json(200, degraded),
      'GET /api/datasets/': () => anonymous(),
    });
    const { router } = renderApp('/history');
    await screen.findByRole('heading', { level: 1, name: 'History' });
    signedIn = false;
    await act(async () => {
      await apiGet('/api/datasets/').catch(() => null);
    });
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(screen.getByLabelText('Username')).toBeInTheDocument();
    expect((router.state.location.state as { from: { pathname: string } }).from.pathname).toBe('/history');
  });
});
