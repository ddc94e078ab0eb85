import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../api/client';
import { admin, modeler, typeVersion, viewer } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { reply, stubApi } from '../test/stubApi';
import { moduleType } from './moduletypes/testSupport';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

const composite = moduleType({
  id: 4,
  lock: { user: 'admin', user_name: 'Ada Admin', since: '2024-05-03T10:00:00Z', expires_at: '2024-05-03T10:05:00Z' },
  name: 'Whole Inventory',
  kind: 'composite',
  tags: [],
  versions: [
    { id: 40, number: 0, name: 'Initial Version', is_final: true, last_modified: '2024-05-02T10:00:00Z' },
    { id: 41, number: 1, name: 'Second', is_final: false, last_modified: '2024-05-03T10:00:00Z' },
  ],
});

describe('Module Type Manager', () => {
  it('lists module types with their latest version and filters by kind', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => reply(200, modeler),
      'GET /api/module-types': (call) =>
        reply(200, [moduleType(), composite].filter((t) => !call.query.get('kind') || t.kind === call.query.get('kind'))),
    });
    const user = userEvent.setup();
    const { router } = renderApp('/module-types');
    const table = await screen.findByTestId('module-types-table');
    const row = within(table).getByRole('row', { name: /Whole Inventory/ });
    expect(row).toHaveTextContent('composite');
    expect(row).toHaveTextContent('1 — Second');
    expect(within(row).getByRole('link', { name: 'Whole Inventory' })).toHaveAttribute('href', '/module-types/4');
    expect(within(row).getByTestId('lock-Whole Inventory')).toHaveTextContent('Ada Admin');
    expect(screen.queryByRole('button', { name: 'Remove' })).not.toBeInTheDocument();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'simple');
    await waitFor(() => expect(within(table).queryByText('Whole Inventory')).not.toBeInTheDocument());
    expect(router.state.location.search).toBe('?kind=simple');
    expect(calls.filter((c) => c.path === '/api/module-types').at(-1)?.query.get('kind')).toBe('simple');
  });

  it('searches and filters by final versions, on the server and in the URL', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => reply(200, modeler),
      'GET /api/module-types': (call) => {
        const q = (call.query.get('search') ?? '').toLowerCase();
        const final = call.query.get('final');
        return reply(
          200,
          [moduleType(), composite].filter(
            (t) =>
              t.name.toLowerCase().includes(q) &&
              (final === null || t.versions.some((v) => v.is_final) === (final === 'true')),
          ),
        );
      },
    });
    const user = userEvent.setup();
    const { router } = renderApp('/module-types');
    const table = await screen.findByTestId('module-types-table');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Final' }), 'true');
    await waitFor(() => expect(within(table).queryByText('Scale Emission Factors')).not.toBeInTheDocument());
    expect(within(table).getByText('Whole Inventory')).toBeInTheDocument();
    expect(calls.filter((c) => c.path === '/api/module-types').at(-1)?.query.get('final')).toBe('true');
    await user.type(screen.getByRole('searchbox', { name: 'Search module types' }), 'zzz');
    expect(await screen.findByText('No module type matches these filters.')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?final=true&search=zzz');
  });

  it('creates a simple type and opens its version 0', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => reply(200, modeler),
      'GET /api/module-types': () => reply(200, []),
      'POST /api/module-types': () => reply(201, moduleType({ id: 8, name: 'Mine', versions: [{ id: 80, number: 0, name: 'Initial Version', is_final: false, last_modified: '' }] })),
      'GET /api/module-type-versions/80': () => reply(200, typeVersion({ id: 80, module_type: 8 }), { ETag: '"v-80-1"' }),
      'GET /api/module-types/8': () => reply(200, moduleType({ id: 8 })),
      'GET /api/dataset-types': () => reply(200, []),
      'GET /api/sql-types': () => reply(200, ['integer', 'text']),
      'POST /api/module-type-versions/80/validate': () => reply(200, { valid: true, errors: [] }),
    });
    const user = userEvent.setup();
    const { router } = renderApp('/module-types');
    await user.click(await screen.findByRole('button', { name: 'New simple type' }));
    const dialog = screen.getByRole('dialog', { name: 'New simple module type' });
    await user.type(within(dialog).getByLabelText('Name'), 'Mine');
    await user.type(within(dialog).getByLabelText('Tags (comma separated)'), 'a, b');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/module-type-versions/80'));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Mine', kind: 'simple', project: 1, description: '', tags: ['a', 'b'] });
  });

  it('lets admins remove a type, listing what uses it when refused', { timeout: 20_000 }, async () => {
    stubApi({
      'GET /api/me': () => reply(200, admin),
      'GET /api/module-types': () => reply(200, [moduleType()]),
      'GET /api/module-type-versions/30': () =>
        reply(200, typeVersion({ used_by: { modules: [{ id: 5, name: 'Emission Factors +15%' }], composites: [] } }), { ETag: '"e"' }),
      'DELETE /api/module-types/3': () =>
        reply(409, {
          code: 'type_in_use',
          message: 'Scale Emission Factors is used.',
          details: { modules: [{ id: 5, name: 'Emission Factors +15%' }], composites: [{ id: 41, module_type_name: 'Whole Inventory', number: 1 }] },
        }),
    });
    const user = userEvent.setup();
    renderApp('/module-types');
    await user.click(await screen.findByRole('button', { name: 'Remove' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove module type' });
    expect(await within(dialog).findByRole('link', { name: 'Emission Factors +15%' })).toHaveAttribute('href', '/modules/5');
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Scale Emission Factors is used.');
    expect(within(dialog).getByRole('link', { name: 'Whole Inventory v1' })).toHaveAttribute('href', '/module-type-versions/41');
  });

  it('lists the built-in progressive types read-only: marked, no Remove even for admins', { timeout: 20_000 }, async () => {
    const histogram = moduleType({
      id: 90,
      name: 'Histogram',
      kind: 'progressive',
      project: null,
      tags: [],
      versions: [{ id: 900, number: 0, name: 'Initial Version', is_final: true, last_modified: '2024-05-02T10:00:00Z' }],
    });
    stubApi({
      'GET /api/me': () => reply(200, admin),
      'GET /api/module-types': () => reply(200, [moduleType(), histogram]),
    });
    renderApp('/module-types');
    const table = await screen.findByTestId('module-types-table');
    const row = within(table).getByRole('row', { name: /Histogram/ });
    expect(row).toHaveTextContent('progressive');
    expect(within(row).getByTestId('builtin-mark')).toHaveTextContent('read-only');
    expect(within(row).queryByRole('button', { name: 'Remove' })).not.toBeInTheDocument();
    expect(within(table).getAllByRole('button', { name: 'Remove' })).toHaveLength(1);
  });

  it('shows viewers no create buttons', { timeout: 20_000 }, async () => {
    stubApi({ 'GET /api/me': () => reply(200, viewer), 'GET /api/module-types': () => reply(200, [moduleType()]) });
    renderApp('/module-types');
    await screen.findByTestId('module-types-table');
    expect(screen.queryByRole('button', { name: 'New simple type' })).not.toBeInTheDocument();
  });
});

describe('Version Manager', () => {
  it('lists versions and copies the selected one into a new version', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => reply(200, modeler),
      'GET /api/module-types/4': () => reply(200, composite),
      'POST /api/module-types/4/versions': () => reply(201, typeVersion({ id: 42, number: 2, module_type: 4, kind: 'composite' })),
    });
    const user = userEvent.setup();
    const { router } = renderApp('/module-types/4');
    const table = await screen.findByTestId('versions-table');
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Remove version' })).toBeInTheDocument(); // v1 is not final
    await user.click(within(table).getByLabelText('Select version 0'));
    expect(screen.queryByRole('button', { name: 'Remove version' })).not.toBeInTheDocument(); // final: admins only
    router.navigate = vi.fn(router.navigate) as typeof router.navigate;
    await user.click(screen.getByRole('button', { name: 'New version' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ source: 40 });
  });
});
