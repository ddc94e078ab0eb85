import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../api/client';
import { admin, emissionType, modeler, viewer } from '../test/fixtures';
import { json, renderApp } from '../test/renderApp';
import { stubApi } from '../test/stubApi';
import { dataset, version } from './datasets/testSupport';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe('Dataset Manager', () => {
  it('lists datasets and filters them through the URL', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/dataset-types': () => json(200, [emissionType]),
      'GET /api/datasets': (call) =>
        json(
          200,
          call.query.get('search') === 'zzz'
            ? []
            : [dataset({ versions: [version(0, { is_final: true, row_count: 8 }), version(1, { row_count: 2500 })] })],
        ),
    });
    const user = userEvent.setup();
    const { router } = renderApp('/datasets');

    const table = await screen.findByTestId('datasets-table');
    const row = within(table).getByRole('row', { name: /Emission Factors 2016/ });
    expect(row).toHaveTextContent('Emission Factors');
    expect(row).toHaveTextContent('Demo');
    expect(row).toHaveTextContent('modeler');
    expect(row).toHaveTextContent('v1 · 2,500 rows');
    expect(within(row).getByRole('link', { name: 'Emission Factors 2016' })).toHaveAttribute('href', '/datasets/7');
    expect(screen.queryByLabelText('Removed')).not.toBeInTheDocument();

    await user.type(screen.getByRole('searchbox', { name: 'Search datasets' }), 'zzz');
    expect(await screen.findByText('No dataset matches these filters.')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?search=zzz');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Dataset type' }), 'Emission Factors');
    await waitFor(() => expect(router.state.location.search).toBe('?search=zzz&type=1'));
    const last = calls.filter((c) => c.path === '/api/datasets').at(-1)!;
    expect(last.query.toString()).toBe('search=zzz&type=1');
  });

  it('creates a dataset type, showing the server’s column errors', { timeout: 20_000 }, async () => {
    let attempts = 0;
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/dataset-types': () => json(200, []),
      'GET /api/datasets': () => json(200, []),
      'POST /api/dataset-types': () => {
        attempts += 1;
        if (attempts === 1) {
          return json(400, {
            code: 'invalid_columns',
            message: "Column 1: 'Bad Name' must be lower-case letters, digits and _.",
            details: {
              columns: ["Column 1: 'Bad Name' must be lower-case letters, digits and _.", "Column 2: 'record_id' is reserved by ModuleBench."],
            },
          });
        }
        return json(201, { ...emissionType, id: 9, name: 'Factors' });
      },
    });
    const user = userEvent.setup();
    renderApp('/datasets');
    await user.click(await screen.findByRole('button', { name: 'New dataset type' }));
    const dialog = screen.getByRole('dialog', { name: 'New dataset type' });
    await user.type(within(dialog).getByLabelText('Name'), 'Factors');
    await user.type(within(dialog).getByLabelText('Column 1 name'), 'Bad Name');
    await user.click(within(dialog).getByRole('button', { name: 'Add column' }));
    await user.type(within(dialog).getByLabelText('Column 2 name'), 'record_id');
    await user.selectOptions(within(dialog).getByLabelText('Column 2 type'), 'double precision');
    await user.click(within(dialog).getByRole('button', { name: 'Create dataset type' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent("Column 1: 'Bad Name' must be lower-case");
    expect(alert).toHaveTextContent("Column 2: 'record_id' is reserved by ModuleBench.");
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({
      name: 'Factors',
      description: '',
      columns: [
        { name: 'Bad Name', sql_type: 'text' },
        { name: 'record_id', sql_type: 'double precision' },
      ],
    });

    await user.click(within(dialog).getByLabelText('Remove column 2'));
    await user.clear(within(dialog).getByLabelText('Column 1 name'));
    await user.type(within(dialog).getByLabelText('Column 1 name'), 'fuel');
    await user.click(within(dialog).getByRole('button', { name: 'Create dataset type' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('creates a dataset in a project the user can write to and opens it', { timeout: 20_000 }, async () => {
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/dataset-types': () => json(200, [emissionType]),
      'GET /api/datasets': () => json(200, []),
      'POST /api/datasets': () => json(201, dataset({ id: 12, name: 'Mine', versions: [] })),
      'GET /api/datasets/12': () => json(200, dataset({ id: 12, name: 'Mine', versions: [] })),
    });
    const user = userEvent.setup();
    const { router } = renderApp('/datasets');
    await user.click(await screen.findByRole('button', { name: 'New dataset' }));
    const dialog = screen.getByRole('dialog', { name: 'New dataset' });
    const projects = within(within(dialog).getByLabelText('Project')).getAllByRole('option');
    expect(projects.map((o) => o.textContent)).toEqual(['Demo']); // not the project where they are a viewer
    await user.type(within(dialog).getByLabelText('Name'), 'Mine');
    await user.selectOptions(within(dialog).getByLabelText('Dataset type'), 'Emission Factors');
    await user.type(within(dialog).getByLabelText('Description'), 'scratch');
    await user.click(within(dialog).getByRole('button', { name: 'Add keyword' }));
    await user.type(within(dialog).getByLabelText('Keyword 1 name'), 'REGION');
    await user.type(within(dialog).getByLabelText('Keyword 1 value'), 'EU');
    await user.click(within(dialog).getByRole('button', { name: 'Create dataset' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/datasets/12'));
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({
      name: 'Mine',
      dataset_type: 1,
      project: 1,
      description: 'scratch',
      keywords: { REGION: 'EU' },
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Mine' })).toBeInTheDocument();
  });

  it('lets an admin list removed datasets and purge one after confirming', async () => {
    let purged = false;
    const calls = stubApi({
      'GET /api/me': () => json(200, admin),
      'GET /api/dataset-types': () => json(200, [emissionType]),
      'GET /api/datasets': (call) =>
        json(200, call.query.get('removed') === 'true' && !purged ? [dataset({ removed_at: '2024-06-01T00:00:00Z' })] : []),
      'POST /api/datasets/7/purge': () => {
        purged = true;
        return json(204, null);
      },
    });
    const user = userEvent.setup();
    renderApp('/datasets');
    await user.click(await screen.findByLabelText('Removed'));
    const table = await screen.findByTestId('datasets-table');
    expect(within(table).queryByRole('link')).not.toBeInTheDocument();
    await user.click(within(table).getByRole('button', { name: 'Purge' }));
    const dialog = screen.getByRole('dialog', { name: 'Purge dataset' });
    expect(dialog).toHaveTextContent('cannot be undone');
    await user.click(within(dialog).getByRole('button', { name: 'Purge' }));
    expect(await screen.findByText('No removed datasets.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/datasets/7/purge')).toBe(true);
  });

  it('shows viewers no create buttons', async () => {
    stubApi({
      'GET /api/me': () => json(200, viewer),
      'GET /api/dataset-types': () => json(200, []),
      'GET /api/datasets': () => json(200, [dataset()]),
    });
    renderApp('/datasets');
    expect(await screen.findByTestId('datasets-table')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New dataset' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New dataset type' })).not.toBeInTheDocument();
  });
});
