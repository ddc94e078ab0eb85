import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../../api/client';
import type { CellValue, Dataset } from '../../api/types';
import { FakeWebSocket } from '../../test/fakeWebSocket';
import { FakeXhr } from '../../test/fakeXhr';
import { modeler, viewer } from '../../test/fixtures';
import { json, renderApp } from '../../test/renderApp';
import { stubApi, withEtag } from '../../test/stubApi';
import { dataset, version } from './testSupport';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
  document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
});

function rowsOf(start: number, count: number): CellValue[][] {
  return Array.from({ length: count }, (_, i) => [start + i, `fuel${start + i}`, (start + i) % 3 === 0 ? null : 2000 + i, 'c']);
}

describe('dataset page: summary', () => {
  it('saves with If-Match and, on 412, keeps the edits and saves them on their version', { timeout: 20_000 }, async () => {
    let current: Dataset = dataset();
    let etag = '"dataset-7-1"';
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/datasets/7': () => withEtag(200, current, etag),
      'PATCH /api/datasets/7': (call) => {
        if (call.headers['If-Match'] !== etag) {
          return json(412, { code: 'precondition_failed', message: 'Changed by someone else.', details: null });
        }
        current = { ...current, ...(call.body as Partial<Dataset>), revision: current.revision + 1 };
        etag = `"dataset-7-${current.revision}"`;
        return withEtag(200, current, etag);
      },
    });
    const user = userEvent.setup();
    renderApp('/datasets/7');
    expect(await screen.findByTestId('dataset-name')).toHaveTextContent('Emission Factors 2016');
    expect(screen.getByTestId('keywords-table')).toHaveTextContent('SOURCE');

    await user.click(screen.getByRole('button', { name: 'Edit' }));
    // Someone else saves meanwhile.
    current = { ...current, description: 'their text', revision: 2 };
    etag = '"dataset-7-2"';
    await user.clear(screen.getByLabelText('Description'));
    await user.type(screen.getByLabelText('Description'), 'my text');
    await user.click(screen.getByRole('button', { name: 'Add keyword' }));
    await user.type(screen.getByLabelText('Keyword 2 name'), 'REGION');
    await user.type(screen.getByLabelText('Keyword 2 value'), 'EU');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByTestId('conflict')).toHaveTextContent(
      'Someone else saved this dataset since you opened it; your save was refused and your edits are kept.',
    );
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.headers['If-Match']).toBe('"dataset-7-1"');
    expect(patch.body).toEqual({
      name: 'Emission Factors 2016',
      description: 'my text',
      keywords: { SOURCE: 'EMF', REGION: 'EU' },
    });
    expect(screen.getByLabelText('Description')).toHaveValue('my text');

    await user.click(screen.getByRole('button', { name: 'Keep my edits on their version' }));
    expect(await screen.findByText(/Your edits now apply to the latest saved version/)).toBeInTheDocument();
    expect(screen.getByLabelText('Description')).toHaveValue('my text');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByLabelText('Description')).not.toBeInTheDocument());
    expect(screen.getByTestId('dataset-description')).toHaveTextContent('my text');
    expect(calls.filter((c) => c.method === 'PATCH').at(-1)!.headers['If-Match']).toBe('"dataset-7-2"');
  });

  it('shows viewers everything read-only', async () => {
    stubApi({
      'GET /api/me': () => json(200, viewer),
      'GET /api/datasets/7': () => withEtag(200, dataset(), '"d"'),
      'GET /api/datasets/7/versions': () => json(200, dataset().versions),
      'GET /api/datasets/7/rows': () => json(200, { version: 0, columns: [], rows: rowsOf(1, 3), next: null, row_count: 3 }),
    });
    const user = userEvent.setup();
    renderApp('/datasets/7');
    expect(await screen.findByTestId('dataset-name')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Remove' })).not.toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: 'Import' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: 'Versions' }));
    expect(await screen.findByTestId('versions-table')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Finalize' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New version' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: 'Rows' }));
    expect(await screen.findByText('rows 1–3 of 3')).toBeInTheDocument();
  });
});

describe('dataset page: versions', () => {
  it('finalizes after confirming and makes a new version from a final base', { timeout: 20_000 }, async () => {
    let versions = [version(0, { is_final: true, row_count: 3 }), version(1, { base: 0, path: [0, 1], row_count: 3 })];
    const calls = stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/datasets/7': () => withEtag(200, dataset({ versions }), '"d"'),
      'GET /api/datasets/7/versions': () => json(200, versions),
      'POST /api/datasets/7/versions/1/finalize': () => {
        versions = versions.map((v) => (v.number === 1 ? { ...v, is_final: true } : v));
        return json(200, versions[1]);
      },
      'POST /api/datasets/7/versions': () => {
        versions = [...versions, version(2, { base: 1, path: [0, 1, 2], name: 'edits', row_count: 3 })];
        return json(201, versions[2]);
      },
    });
    const user = userEvent.setup();
    renderApp('/datasets/7?tab=versions');
    const table = await screen.findByTestId('versions-table');
    const v1 = within(table).getByTestId('version-1');
    expect(within(table).getByTestId('version-0')).toHaveTextContent('✓');
    await user.click(within(v1).getByRole('button', { name: 'Finalize' }));
    const confirm = screen.getByRole('dialog', { name: 'Finalize version' });
    await user.click(within(confirm).getByRole('button', { name: 'Finalize' }));
    await waitFor(() => expect(within(screen.getByTestId('version-1')).queryByRole('button', { name: 'Finalize' })).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'New version' }));
    const dialog = screen.getByRole('dialog', { name: 'New version' });
    expect(within(dialog).getByLabelText('Base version')).toHaveValue('1');
    await user.type(within(dialog).getByLabelText('Name'), 'edits');
    await user.click(within(dialog).getByRole('button', { name: 'Create version' }));
    expect(await screen.findByTestId('version-2')).toHaveTextContent('edits');
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/datasets/7/versions')!.body).toEqual({
      base: 1,
      name: 'edits',
      description: '',
    });
  });
});

function rowsApi() {
  return stubApi({
    'GET /api/me': () => json(200, modeler),
    'GET /api/datasets/7': () => withEtag(200, dataset(), '"d"'),
    'GET /api/datasets/7/rows': (call) => {
      const q = call.query;
      if (q.getAll('filter').includes('year:eq:abc')) {
        return json(400, { code: 'bad_query', message: 'A filter or cursor value does not fit its column.', details: null });
      }
      if (q.getAll('filter').length) return json(200, { version: 0, columns: [], rows: rowsOf(3, 1), next: null, row_count: 250 });
      const after = q.get('after');
      const start = after === 'c1' ? 101 : after === 'c2' ? 201 : 1;
      const count = start === 201 ? 50 : 100;
      const next = start === 1 ? 'c1' : start === 101 ? 'c2' : null;
      return json(200, { version: 0, columns: [], rows: rowsOf(start, count), next, row_count: 250 });
    },
  });
}

describe('dataset page: rows', () => {
  it('pages with a stack of cursors and shows NULL muted', { timeout: 20_000 }, async () => {
    const calls = rowsApi();
    const user = userEvent.setup();
    renderApp('/datasets/7?tab=rows');
    expect(await screen.findByText('rows 1–100 of 250')).toBeInTheDocument();
    const grid = screen.getByTestId('rows-grid');
    expect(within(grid).getAllByText('NULL').length).toBeGreaterThan(0);
    expect(within(grid).getAllByText('NULL')[0]).toHaveClass('ds-null');
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', '/api/datasets/7/export?version=0');

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('rows 101–200 of 250')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('rows 201–250 of 250')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByText('rows 101–200 of 250')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'First page' }));
    expect(await screen.findByText('rows 1–100 of 250')).toBeInTheDocument();
    const afters = calls.filter((c) => c.path === '/api/datasets/7/rows').map((c) => c.query.get('after'));
    expect(afters).toEqual([null, 'c1', 'c2']); // going back is served from the cache
  });

  it('sorts by a header, filters per column and shows bad queries inline', { timeout: 20_000 }, async () => {
    const calls = rowsApi();
    const user = userEvent.setup();
    renderApp('/datasets/7?tab=rows');
    expect(await screen.findByText('rows 1–100 of 250')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'year' }));
    await waitFor(() => expect(screen.getByRole('columnheader', { name: /year/ })).toHaveAttribute('aria-sort', 'ascending'));
    await user.click(screen.getByRole('button', { name: /year/ }));
    await waitFor(() => expect(screen.getByRole('columnheader', { name: /year/ })).toHaveAttribute('aria-sort', 'descending'));
    await user.click(screen.getByRole('button', { name: /year/ }));
    await waitFor(() => expect(screen.getByRole('columnheader', { name: /year/ })).toHaveAttribute('aria-sort', 'none'));
    const sorts = calls
      .filter((c) => c.path === '/api/datasets/7/rows' && c.query.has('sort'))
      .map((c) => `${c.query.get('sort')}/${c.query.get('order')}`);
    expect(sorts).toEqual(['year/asc', 'year/desc']); // then back to record order (cached first page)

    await user.selectOptions(screen.getByLabelText('Filter operator for fuel_type'), 'contains');
    await user.type(screen.getByLabelText('Filter value for fuel_type'), 'fuel3{Enter}');
    expect(await screen.findByText('rows 1–1 matching the filters (250 in this version)')).toBeInTheDocument();
    expect(calls.at(-1)!.query.getAll('filter')).toEqual(['fuel_type:contains:fuel3']);

    await user.selectOptions(screen.getByLabelText('Filter operator for year'), 'eq');
    await user.type(screen.getByLabelText('Filter value for year'), 'abc{Enter}');
    expect(await screen.findByTestId('rows-error')).toHaveTextContent('does not fit its column');
    expect(screen.getByLabelText('Filter value for year')).toHaveValue('abc'); // still there to fix

    await user.selectOptions(screen.getByLabelText('Filter operator for comments'), 'is_null');
    expect(calls.at(-1)!.query.getAll('filter')).toContain('comments:is_null');
  });
});

describe('dataset page: import', () => {
  it('shows upload and server progress, then the new version; a bad CSV lists its problems', { timeout: 20_000 }, async () => {
    document.cookie = 'csrftoken=tok';
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    let versions = [version(0, { is_final: true, row_count: 8 })];
    stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/datasets/7': () => withEtag(200, dataset({ versions }), '"d"'),
      'GET /api/datasets/7/versions': () => json(200, versions),
    });
    const user = userEvent.setup();
    const { socket } = renderApp('/datasets/7?tab=import');
    const fileInput = await screen.findByLabelText('CSV file');
    act(() => FakeWebSocket.latest().serverOpen());
    const ws = FakeWebSocket.latest();
    await waitFor(() => expect(socket.subscriberCount('dataset:7')).toBeGreaterThan(0));
    act(() => ws.serverSend({ type: 'subscribed', topic: 'dataset:7', seq: 0 }));

    await user.upload(fileInput, new File(['fuel_type,year,comments\ncoal,2020,x\n'], 'good.csv', { type: 'text/csv' }));
    await user.click(screen.getByLabelText('New version appending to the latest final version'));
    await user.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(FakeXhr.last?.body).not.toBeNull());
    const xhr = FakeXhr.last!;
    expect(xhr.headers['X-CSRFToken']).toBe('tok');
    expect(xhr.withCredentials).toBe(true);
    expect(xhr.url).toBe('/api/datasets/7/import?mode=append');
    expect(xhr.headers['Content-Type']).toBe('text/csv');
    expect((xhr.body as File).name).toBe('good.csv');

    act(() => xhr.upload.onprogress?.({ loaded: 50, total: 200, lengthComputable: true }));
    expect(screen.getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute('aria-valuenow', '25');
    act(() => xhr.upload.onprogress?.({ loaded: 200, total: 200, lengthComputable: true }));
    expect(screen.getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute('aria-valuenow', '100');
    act(() => ws.serverSend({ topic: 'dataset:7', seq: 1, type: 'import_progress', data: { bytes_done: 30, bytes_total: 40 } }));
    expect(screen.getByRole('progressbar', { name: 'Server progress' })).toHaveAttribute('aria-valuenow', '75');

    versions = [...versions, version(1, { base: 0, path: [0, 1], row_count: 9, name: 'Imported' })];
    act(() => {
      xhr.respond(201, versions[1]);
      ws.serverSend({ topic: 'dataset:7', seq: 2, type: 'version_changed', data: { number: 1, row_count: 9 } });
    });
    expect(await screen.findByRole('status')).toHaveTextContent('Imported version 1 (Imported): 9 rows.');

    await user.upload(screen.getByLabelText('CSV file'), new File(['bad'], 'bad.csv', { type: 'text/csv' }));
    await user.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(FakeXhr.last).not.toBe(xhr));
    await waitFor(() => expect(FakeXhr.last?.body).not.toBeNull());
    act(() =>
      FakeXhr.last!.respond(400, {
        code: 'bad_csv',
        message: 'The CSV does not fit the dataset type (row 2, column year: invalid input syntax for type integer: "abc"); nothing was imported.',
        details: { errors: [{ row: 2, column: 'year', reason: 'invalid input syntax for type integer: "abc"' }] },
      }),
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('nothing was imported');
    const problem = within(within(alert).getByTestId('csv-problems')).getAllByRole('row')[1];
    expect(within(problem).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      '2',
      'year',
      'invalid input syntax for type integer: "abc"',
    ]);
  });
});

describe('dataset page: remove', () => {
  it('lists the modules that use the dataset when removal is refused', async () => {
    let inUse = true;
    stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/datasets/7': () => withEtag(200, dataset(), '"d"'),
      'GET /api/datasets': () => json(200, []),
      'GET /api/dataset-types': () => json(200, []),
      'DELETE /api/datasets/7': () =>
        inUse
          ? json(409, {
              code: 'dataset_in_use',
              message: "Modules use 'Emission Factors 2016': Scale factors.",
              details: { modules: [{ module_id: 4, module_name: 'Scale factors', relation: 'input' }] },
            })
          : json(204, null),
    });
    const user = userEvent.setup();
    const { router } = renderApp('/datasets/7');
    await user.click(await screen.findByRole('button', { name: 'Remove' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove dataset' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent("Modules use 'Emission Factors 2016': Scale factors.");
    expect(within(alert).getByRole('link', { name: 'Scale factors' })).toHaveAttribute('href', '/modules/4');

    inUse = false;
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/datasets'));
  });

  it('shows the empty related-modules state', async () => {
    stubApi({
      'GET /api/me': () => json(200, modeler),
      'GET /api/datasets/7': () => withEtag(200, dataset(), '"d"'),
      'GET /api/datasets/7/related-modules': () => json(200, []),
    });
    renderApp('/datasets/7?tab=related');
    expect(await screen.findByText('No module uses or produced this dataset.')).toBeInTheDocument();
  });
});
