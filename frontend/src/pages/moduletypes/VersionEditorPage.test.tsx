import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../../api/client';
import { renderApp } from '../../test/renderApp';
// The route loads this page lazily: load it up front so the first screen appears at once.
import './VersionEditorPage';
import { FakeWebSocket } from '../../test/fakeWebSocket';
import { admin, emissionType, modeler, typeVersion, viewer } from '../../test/fixtures';
import { reply, stubApi } from '../../test/stubApi';
import { editLock, lockRoutes, moduleType } from './testSupport';

afterEach(async () => {
  // Unmounting releases the edit lock a tick later: let that reach this test's stub, not the next one's.
  cleanup();
  await new Promise((resolve) => setTimeout(resolve, 5));
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

// jsdom has no layout: CodeMirror measures text ranges and React Flow observes node sizes.
const rangeRects = { getClientRects: Range.prototype.getClientRects, getBoundingClientRect: Range.prototype.getBoundingClientRect };
beforeAll(() => {
  Range.prototype.getClientRects = () => ({ length: 0, item: () => null, [Symbol.iterator]: [][Symbol.iterator] }) as unknown as DOMRectList;
  Range.prototype.getBoundingClientRect = () => new DOMRect();
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  // React Flow reads the zoom from the viewport's transform (see its testing guide).
  (window as unknown as { DOMMatrixReadOnly: unknown }).DOMMatrixReadOnly ??= class {
    m22: number;
    constructor(transform?: string) {
      const scale = transform?.match(/scale\(([0-9.]+)\)/)?.[1];
      this.m22 = scale !== undefined ? Number(scale) : 1;
    }
  };
});
afterAll(() => {
  Range.prototype.getClientRects = rangeRects.getClientRects;
  Range.prototype.getBoundingClientRect = rangeRects.getBoundingClientRect;
});

function routes(me = modeler, version = typeVersion(), extra: Record<string, Parameters<typeof stubApi>[0][string]> = {}) {
  return stubApi({
    'GET /api/me': () => reply(200, me),
    'GET /api/module-type-versions/30': () => reply(200, version, { ETag: '"v-30-2"' }),
    'GET /api/module-types/3': () => reply(200, moduleType()),
    'GET /api/dataset-types': () => reply(200, [emissionType]),
    'GET /api/sql-types': () => reply(200, ['integer', 'double precision', 'text']),
    'POST /api/module-type-versions/30/validate': () => reply(200, { valid: true, errors: [] }),
    ...lockRoutes(3, me),
    ...extra,
  });
}

/** A field of the editor once it is editable (that needs the module type's project). */
async function editable(label: string) {
  const field = await screen.findByLabelText(label);
  await waitFor(() => expect(field).toBeEnabled());
  return field;
}

describe('Version Editor (simple type)', () => {
  it('shows metadata, slots, algorithm and revision notes', { timeout: 20_000 }, async () => {
    routes();
    renderApp('/module-type-versions/30');
    expect(await screen.findByRole('heading', { name: 'Scale Emission Factors — version 0' })).toBeInTheDocument();
    expect(screen.getByLabelText('Dataset 1 placeholder')).toHaveValue('input_ds');
    expect(await screen.findByRole('option', { name: 'Emission Factors' })).toBeInTheDocument();
    expect(screen.getByLabelText('Parameter 1 SQL type')).toHaveValue('double precision');
    expect(screen.getByTestId('revision-notes')).toHaveTextContent('Created');
    // the Save button appears once the edit lock is taken (a request of its own)
    expect(await screen.findByRole('button', { name: 'Save' })).toBeDisabled(); // nothing changed yet
    expect(screen.queryByRole('button', { name: 'Finalize…' })).not.toBeInTheDocument();
  });

  it('saves with a revision note and If-Match', { timeout: 20_000 }, async () => {
    const calls = routes(modeler, typeVersion(), {
      'PATCH /api/module-type-versions/30': (call) =>
        reply(200, typeVersion({ name: 'Renamed', revision: 3, revision_notes: [{ author: 'modeler', created_at: '', note: String((call.body as { revision_note: string }).revision_note) }] }), {
          ETag: '"v-30-3"',
        }),
    });
    const user = userEvent.setup();
    renderApp('/module-type-versions/30');
    const name = await editable('Version name');
    await user.clear(name);
    await user.type(name, 'Renamed');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    const dialog = screen.getByRole('dialog', { name: 'Save version' });
    await user.type(within(dialog).getByLabelText('Revision note'), 'New name');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.headers['If-Match']).toBe('"v-30-2"');
    expect(patch.body).toMatchObject({ name: 'Renamed', revision_note: 'New name', algorithm: 'SELECT * FROM ${input_ds};' });
    expect(screen.getByTestId('revision-notes')).toHaveTextContent('New name');
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
  });

  it('keeps the edits when someone else saved first (412)', { timeout: 20_000 }, async () => {
    routes(modeler, typeVersion(), {
      'PATCH /api/module-type-versions/30': () => reply(412, { code: 'precondition_failed', message: 'Changed by someone else.', details: null }),
    });
    const user = userEvent.setup();
    renderApp('/module-type-versions/30');
    const name = await editable('Version name');
    await user.type(name, ' (mine)');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await user.type(screen.getByLabelText('Revision note'), 'x');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }));
    expect(await screen.findByTestId('conflict')).toHaveTextContent(
      'Someone else saved this version since you opened it; your save was refused and your edits are kept.',
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Version name')).toHaveValue('Initial Version (mine)');
    expect((screen.getByLabelText('Your edits') as HTMLTextAreaElement).value).toContain('Initial Version (mine)');
  });

  it('after a 412, keeps the edits on the latest version and saves them with its ETag', { timeout: 20_000 }, async () => {
    let theirs = false;
    const calls = routes(modeler, typeVersion(), {
      'GET /api/module-type-versions/30': () =>
        theirs
          ? reply(200, typeVersion({ description: 'theirs', revision: 3 }), { ETag: '"v-30-3"' })
          : reply(200, typeVersion(), { ETag: '"v-30-2"' }),
      'PATCH /api/module-type-versions/30': (call) => {
        if (call.headers['If-Match'] !== '"v-30-3"') {
          theirs = true;
          return reply(412, { code: 'precondition_failed', message: 'Changed by someone else.', details: null });
        }
        return reply(200, typeVersion({ name: 'Initial Version (mine)', revision: 4 }), { ETag: '"v-30-4"' });
      },
    });
    const user = userEvent.setup();
    renderApp('/module-type-versions/30');
    await user.type(await editable('Version name'), ' (mine)');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await user.type(screen.getByLabelText('Revision note'), 'mine');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }));
    await user.click(await screen.findByRole('button', { name: 'Keep my edits on their version' }));
    expect(await screen.findByText(/Your edits now apply to the latest saved version/)).toBeInTheDocument();
    expect(screen.queryByTestId('conflict')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Version name')).toHaveValue('Initial Version (mine)');
    expect(screen.getByLabelText('Version description')).toHaveValue('theirs');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await user.type(screen.getByLabelText('Revision note'), 'mine again');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((p) => p.headers['If-Match'])).toEqual(['"v-30-2"', '"v-30-3"']);
  });

  it('opens read-only while someone else holds the edit lock; an admin may break it', { timeout: 20_000 }, async () => {
    let holder: ReturnType<typeof editLock> | null = editLock();
    const calls = routes(admin, typeVersion(), {
      'GET /api/module-types/3': () => reply(200, moduleType({ lock: holder })),
      'POST /api/module-types/3/lock': () =>
        holder
          ? reply(409, { code: 'locked', message: 'Being edited.', details: { lock: holder } })
          : reply(200, { lock: editLock({ user: 'admin', user_name: 'Ada Admin' }) }),
      'DELETE /api/module-types/3/lock': () => {
        holder = null;
        return reply(204, null);
      },
    });
    const user = userEvent.setup();
    renderApp('/module-type-versions/30');
    const banner = await screen.findByTestId('lock-banner');
    expect(banner).toHaveTextContent(/Being edited by Mona Modeler since \d\d:\d\d — the module type is read-only for you/);
    expect(screen.getByLabelText('Version name')).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
    expect(screen.queryByTestId('read-only-note')).not.toBeInTheDocument(); // the banner says why
    await user.click(within(banner).getByRole('button', { name: 'Break lock' }));
    await waitFor(() => expect(screen.getByLabelText('Version name')).toBeEnabled());
    expect(screen.queryByTestId('lock-banner')).not.toBeInTheDocument();
    // Opening took no lock: only breaking it (and taking it, to edit) did.
    expect(calls.filter((c) => c.path === '/api/module-types/3/lock').map((c) => c.method)).toEqual(['DELETE', 'POST']);
  });

  it('opening takes no lock; the first change does, and saving releases it', { timeout: 20_000 }, async () => {
    const calls = routes(modeler, typeVersion(), {
      'PATCH /api/module-type-versions/30': () => reply(200, typeVersion({ name: 'Initial Version!', revision: 3 }), { ETag: '"v-30-3"' }),
    });
    const user = userEvent.setup();
    renderApp('/module-type-versions/30');
    const name = await editable('Version name');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lockCalls = () => calls.filter((c) => c.path === '/api/module-types/3/lock').map((c) => c.method);
    expect(lockCalls()).toEqual([]);
    await user.type(name, '!');
    await waitFor(() => expect(lockCalls()).toEqual(['POST']));
    await user.type(name, '?');
    expect(lockCalls()).toEqual(['POST']); // once
    await user.type(name, '{Backspace}');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await user.type(screen.getByLabelText('Revision note'), 'x');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    await waitFor(() => expect(lockCalls()).toEqual(['POST', 'DELETE']));
  });

  it('goes read-only, keeping the edits, when its lock is taken over; shows who else is looking', { timeout: 20_000 }, async () => {
    routes();
    const user = userEvent.setup();
    renderApp('/module-type-versions/30');
    await user.type(await editable('Version name'), ' (mine)');
    const socket = FakeWebSocket.latest();
    act(() => socket.serverOpen());
    const subscribed = () => socket.sent.map((m) => (m as { topic?: string }).topic);
    await waitFor(() => expect(subscribed()).toEqual(expect.arrayContaining(['module-type:3', 'presence:module-type:3'])));
    act(() => {
      socket.serverSend({ type: 'subscribed', topic: 'module-type:3', seq: 0 });
      socket.serverSend({ type: 'subscribed', topic: 'presence:module-type:3', seq: 0 });
      socket.serverSend({
        topic: 'presence:module-type:3',
        seq: 1,
        type: 'presence',
        data: { viewers: [{ user: 'modeler', user_name: 'Mona Modeler', since: '' }, { user: 'admin', user_name: 'Ada Admin', since: '' }] },
      });
    });
    expect(await screen.findByTestId('presence')).toHaveTextContent('Also viewing: Ada Admin');
    act(() => {
      socket.serverSend({ topic: 'module-type:3', seq: 1, type: 'lock', data: { module_type: 3, lock: null } });
      socket.serverSend({ topic: 'module-type:3', seq: 2, type: 'lock', data: { module_type: 3, lock: editLock({ user: 'admin', user_name: 'Ada Admin' }) } });
    });
    expect(await screen.findByTestId('lock-banner')).toHaveTextContent('Being edited by Ada Admin');
    expect(screen.getByLabelText('Version name')).toBeDisabled();
    expect(screen.getByLabelText('Version name')).toHaveValue('Initial Version (mine)');
    expect(screen.getByTestId('lock-lost-edits')).toHaveTextContent('Your unsaved edits are still shown');
  });

  it('asks to confirm when the version is used, then resends with confirm_dependents', { timeout: 20_000 }, async () => {
    const calls = routes(modeler, typeVersion(), {
      'PATCH /api/module-type-versions/30': (call) =>
        (call.body as { confirm_dependents?: boolean }).confirm_dependents
          ? reply(200, typeVersion({ description: 'changed', revision: 3 }), { ETag: '"v-30-3"' })
          : reply(409, {
              code: 'has_dependents',
              message: 'This version is used.',
              details: { modules: [{ id: 5, name: 'Emission Factors +15%' }], composites: [{ id: 41, module_type_name: 'Whole Inventory', number: 1 }] },
            }),
    });
    const user = userEvent.setup();
    renderApp('/module-type-versions/30');
    await user.type(await editable('Version description'), 'changed');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await user.type(screen.getByLabelText('Revision note'), 'Describe');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }));
    const list = await screen.findByTestId('dependents-list');
    expect(list).toHaveTextContent('Emission Factors +15%');
    expect(list).toHaveTextContent('Whole Inventory v1');
    await user.click(screen.getByRole('button', { name: 'Save anyway' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches).toHaveLength(2);
    expect(patches[1]?.body).toMatchObject({ confirm_dependents: true, revision_note: 'Describe' });
  });

  it('validates the draft after edits and lists the errors', { timeout: 20_000 }, async () => {
    const calls = routes(modeler, typeVersion(), {
      'POST /api/module-type-versions/30/validate': (call) =>
        reply(200, {
          valid: false,
          errors: [{ code: 'unknown_placeholder', message: 'Unknown placeholder ${nope} at line 1, column 15', line: 1, column: 15, draft: call.body }],
        }),
    });
    renderApp('/module-type-versions/30');
    expect(await screen.findByTestId('validation-errors', {}, { timeout: 3000 })).toHaveTextContent('line 1, column 15: Unknown placeholder');
    const validate = calls.find((c) => c.path.endsWith('/validate'))!;
    expect(validate.body).toMatchObject({ algorithm: 'SELECT * FROM ${input_ds};', dataset_slots: [{ placeholder: 'input_ds' }] });
  });

  it('opens final versions read-only; admins finalize through the plan', { timeout: 20_000 }, async () => {
    let final = false;
    const calls = routes(admin, typeVersion(), {
      'GET /api/module-type-versions/30': () => reply(200, typeVersion({ is_final: final, revision: final ? 3 : 2 }), { ETag: final ? '"v-30-3"' : '"v-30-2"' }),
      'GET /api/module-type-versions/30/finalize-plan': () =>
        reply(200, { versions: [{ id: 30, module_type_name: 'Scale Emission Factors', number: 0, name: 'Initial Version' }, { id: 12, module_type_name: 'Sub', number: 2, name: 'x' }] }),
      'POST /api/module-type-versions/30/finalize': () => {
        final = true;
        return reply(200, typeVersion({ is_final: true }));
      },
    });
    const user = userEvent.setup();
    renderApp('/module-type-versions/30');
    await user.click(await screen.findByRole('button', { name: 'Finalize…' }));
    const dialog = screen.getByRole('dialog', { name: 'Finalize version' });
    expect(await within(dialog).findByTestId('finalize-plan')).toHaveTextContent('Sub v2');
    await user.click(within(dialog).getByRole('button', { name: 'Finalize 2 versions' }));
    expect(await screen.findByTestId('final-badge')).toBeInTheDocument();
    expect(calls.find((c) => c.path.endsWith('/finalize'))?.body).toEqual({ confirm: [30, 12] });
    expect(screen.getByTestId('read-only-note')).toHaveTextContent('final');
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Finalize…' })).not.toBeInTheDocument();
    expect(screen.getByLabelText('Version name')).toBeDisabled();
  });

  it('shows viewers everything read-only', { timeout: 20_000 }, async () => {
    const calls = routes(viewer);
    renderApp('/module-type-versions/30');
    expect(await screen.findByTestId('read-only-note')).toHaveTextContent('You can view this version but not change it.');
    expect(screen.getByLabelText('Dataset 1 placeholder')).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Add dataset' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 700));
    expect(calls.some((c) => c.path.endsWith('/validate'))).toBe(false);
  });
});

describe('Version Editor (aggregation type, docs/aggregation.md)', () => {
  const aggSlots = {
    dataset_slots: [
      { placeholder: 'data', mode: 'IN' as const, dataset_type: 1, is_optional: false, description: '' },
      { placeholder: 'result', mode: 'OUT' as const, dataset_type: 1, is_optional: false, description: '' },
    ],
    parameter_slots: [],
  };

  it('shows the aggregate, process and clear SQL instead of the algorithm, each error on its field', { timeout: 20_000 }, async () => {
    const version = typeVersion({ ...aggSlots, is_aggregation: true, algorithm: '', process_sql: 'INSERT INTO ${result} (value) SELECT sum(value) FROM ${nope};' });
    const calls = routes(modeler, version, {
      'POST /api/module-type-versions/30/validate': () =>
        reply(200, {
          valid: false,
          phases: {},
          errors: [
            { code: 'unknown_placeholder', message: 'Unknown placeholder ${nope} at line 1, column 54', line: 1, column: 54, field: 'process_sql' },
            { code: 'aggregation_output_type', message: 'The OUT slot must have the IN slot’s dataset type.' },
          ],
        }),
    });
    renderApp('/module-type-versions/30');
    expect(await screen.findByTestId('aggregation-sql')).toBeInTheDocument();
    expect(screen.queryByTestId('algorithm-editor')).not.toBeInTheDocument();
    expect(screen.getByTestId('aggregation-checkbox')).toBeChecked();
    // Empty fields show their default, written out for the slots.
    await waitFor(() =>
      expect(screen.getByTestId('agg-field-aggregate_sql')).toHaveTextContent('-- Default: INSERT INTO ${state} (fuel_type) SELECT fuel_type FROM ${data};'),
    );
    expect(screen.getByTestId('agg-field-clear_sql')).toHaveTextContent('-- Default: DELETE FROM ${state};');
    expect(screen.getByTestId('process_sql-editor')).toHaveTextContent('FROM ${nope}');
    // The SQL error is on the Process field (and in the Validation panel, named); the other is only listed.
    expect(await screen.findByTestId('process_sql-errors', {}, { timeout: 3000 })).toHaveTextContent('line 1, column 54: Unknown placeholder ${nope}');
    expect(screen.queryByTestId('aggregate_sql-errors')).not.toBeInTheDocument();
    expect(screen.getByTestId('validation-errors')).toHaveTextContent('Process: line 1, column 54');
    expect(screen.getByTestId('validation-errors')).toHaveTextContent('The OUT slot must have');
    expect(calls.find((c) => c.path.endsWith('/validate'))?.body).toMatchObject({ is_aggregation: true, process_sql: version.process_sql, aggregate_sql: '' });
  });

  it('checking Aggregation swaps the algorithm for the three fields, and saves them', { timeout: 20_000 }, async () => {
    const calls = routes(modeler, typeVersion(aggSlots), {
      'PATCH /api/module-type-versions/30': () => reply(200, typeVersion({ ...aggSlots, is_aggregation: true, revision: 3 }), { ETag: '"v-30-3"' }),
    });
    const user = userEvent.setup();
    renderApp('/module-type-versions/30');
    expect(await screen.findByTestId('algorithm-editor')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('aggregation-checkbox')).toBeEnabled());
    await user.click(screen.getByTestId('aggregation-checkbox'));
    expect(await screen.findByTestId('aggregate_sql-editor')).toBeInTheDocument();
    expect(screen.queryByTestId('algorithm-editor')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'Save' }));
    const dialog = screen.getByRole('dialog', { name: 'Save version' });
    await user.type(within(dialog).getByLabelText('Revision note'), 'Aggregation');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ is_aggregation: true, aggregate_sql: '', process_sql: '', clear_sql: '' }));
  });

  it('final aggregation versions are read-only like everything else', { timeout: 20_000 }, async () => {
    routes(modeler, typeVersion({ ...aggSlots, is_aggregation: true, is_final: true, clear_sql: 'DELETE FROM ${state} WHERE false;' }));
    renderApp('/module-type-versions/30');
    expect(await screen.findByTestId('clear_sql-editor')).toHaveAttribute('contenteditable', 'false');
    expect(screen.getByTestId('aggregation-checkbox')).toBeDisabled();
  });
});

/** The composite version 50 whose graph uses the palette's simple version 30 (and 31, an aggregation). */
function compositeRoutes(graph: object, extra: { phases?: Record<string, string>; validate?: object } = {}) {
  const palette = [
    { id: 30, module_type: 3, module_type_name: 'Scale Emission Factors', kind: 'simple', number: 0, name: 'Initial', is_final: false, is_aggregation: false, dataset_slots: typeVersion().dataset_slots, parameter_slots: typeVersion().parameter_slots },
    { id: 31, module_type: 4, module_type_name: 'Collect', kind: 'simple', number: 1, name: 'Initial', is_final: false, is_aggregation: true, dataset_slots: typeVersion().dataset_slots, parameter_slots: [] },
  ];
  return stubApi({
    'GET /api/me': () => reply(200, modeler),
    'GET /api/module-type-versions/50': () =>
      reply(
        200,
        typeVersion({
          id: 50,
          module_type: 5,
          kind: 'composite',
          module_type_name: 'Whole',
          algorithm: '',
          dataset_slots: [{ placeholder: 'src', mode: 'IN', dataset_type: 1, is_optional: false, description: '' }],
          parameter_slots: [],
          graph: graph as never,
          phases: (extra.phases ?? {}) as never,
        }),
        { ETag: '"v-50-1"' },
      ),
    'GET /api/module-types/5': () => reply(200, moduleType({ id: 5, kind: 'composite' })),
    'GET /api/dataset-types': () => reply(200, [emissionType]),
    'GET /api/sql-types': () => reply(200, ['integer']),
    'GET /api/module-type-versions': () => reply(200, palette),
    'POST /api/module-type-versions/50/validate': () => reply(200, extra.validate ?? { valid: true, errors: [], phases: {} }),
    ...lockRoutes(5, modeler),
  });
}

describe('Version Editor (composite type)', () => {
  it('draws the saved graph from the palette versions', { timeout: 20_000 }, async () => {
    const graph = {
      submodules: [{ id: 1, name: 'Scale A', version: 30, position: { x: 0, y: 0 } }],
      connections: [{ kind: 'dataset', source: { submodule: null, slot: 'src' }, target: { submodule: 1, slot: 'input_ds' } }],
    };
    compositeRoutes(graph);
    renderApp('/module-type-versions/50');
    expect(await screen.findByRole('heading', { name: 'Whole — version 0' })).toBeInTheDocument();
    expect(await screen.findByTestId('palette-Scale Emission Factors-v0')).toBeInTheDocument();
    expect(await screen.findByTestId('port-Scale A-in-input_ds')).toBeInTheDocument();
    expect(screen.getByTestId('port-Inputs-out-src')).toBeInTheDocument();
    expect(screen.queryByTestId('phase-legend')).not.toBeInTheDocument();
    expect(screen.getByTestId('node-Scale A')).not.toHaveAttribute('data-phase');
  });

  it('colours submodules by phase (the validate answer), marks "(Agg)", shows the legend and mixed_phase_inputs', { timeout: 20_000 }, async () => {
    const graph = {
      submodules: [
        { id: 1, name: 'reg', version: 30, position: { x: 0, y: 0 } },
        { id: 2, name: 'agg', version: 31, position: { x: 300, y: 0 } },
        { id: 3, name: 'post', version: 30, position: { x: 600, y: 0 } },
      ],
      connections: [],
    };
    compositeRoutes(graph, {
      phases: { '1': 'before', '2': 'aggregation' },
      validate: {
        valid: false,
        phases: { '1': 'before', '2': 'aggregation', '3': 'after' },
        errors: [{ code: 'mixed_phase_inputs', message: 's3 is fed both from before and from after an aggregation.', submodule: 3, slot: 'input_ds' }],
      },
    });
    renderApp('/module-type-versions/50');
    expect(await screen.findByTestId('phase-legend')).toHaveTextContent('before aggregation');
    // The palette marks aggregation versions.
    expect(within(await screen.findByTestId('palette-Collect-v1')).getByTestId('palette-agg')).toHaveTextContent('Agg');
    expect(screen.getByTestId('node-header-agg')).toHaveTextContent('agg (Agg)');
    expect(screen.getByTestId('node-header-reg')).not.toHaveTextContent('(Agg)');
    expect(screen.getByTestId('node-header-reg')).toHaveStyle({ background: '#f2c230' });
    // The validate answer names submodule 3 "after" and refuses its input.
    await waitFor(() => expect(screen.getByTestId('node-post')).toHaveAttribute('data-phase', 'after'), { timeout: 3000 });
    expect(screen.getByTestId('node-header-post')).toHaveStyle({ background: '#9b72c8' });
    expect(screen.getByTestId('node-errors-post')).toHaveTextContent('1 problem');
    expect(screen.getByTestId('port-post-in-input_ds')).toHaveClass('mt-port-error');
    expect(screen.getByTestId('validation-errors')).toHaveTextContent('post is fed both from before and from after');
  });
});
