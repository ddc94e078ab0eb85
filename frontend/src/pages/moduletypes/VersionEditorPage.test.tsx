import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setUnauthorizedHandler } from '../../api/client';
import { renderApp } from '../../test/renderApp';
// The route loads this page lazily: load it up front so the first screen appears at once.
import './VersionEditorPage';
import { admin, emissionType, moduleType, modeler, reply, stubApi, typeVersion, viewer } from './testSupport';

afterEach(() => {
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
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled(); // nothing changed yet
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
      'Someone else saved this version; your edits are kept — copy them, reload, and re-apply',
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Version name')).toHaveValue('Initial Version (mine)');
    expect((screen.getByLabelText('Your edits') as HTMLTextAreaElement).value).toContain('Initial Version (mine)');
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

describe('Version Editor (composite type)', () => {
  it('draws the saved graph from the palette versions', { timeout: 20_000 }, async () => {
    const graph = {
      submodules: [{ id: 1, name: 'Scale A', version: 30, position: { x: 0, y: 0 } }],
      connections: [{ kind: 'dataset', source: { submodule: null, slot: 'src' }, target: { submodule: 1, slot: 'input_ds' } }],
    };
    stubApi({
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
          }),
          { ETag: '"v-50-1"' },
        ),
      'GET /api/module-types/5': () => reply(200, moduleType({ id: 5, kind: 'composite' })),
      'GET /api/dataset-types': () => reply(200, [emissionType]),
      'GET /api/sql-types': () => reply(200, ['integer']),
      'GET /api/module-type-versions': () =>
        reply(200, [{ id: 30, module_type: 3, module_type_name: 'Scale Emission Factors', kind: 'simple', number: 0, name: 'Initial', is_final: false, dataset_slots: typeVersion().dataset_slots, parameter_slots: typeVersion().parameter_slots }]),
      'POST /api/module-type-versions/50/validate': () => reply(200, { valid: true, errors: [] }),
    });
    renderApp('/module-type-versions/50');
    expect(await screen.findByRole('heading', { name: 'Whole — version 0' })).toBeInTheDocument();
    expect(await screen.findByTestId('palette-Scale Emission Factors-v0')).toBeInTheDocument();
    expect(await screen.findByTestId('port-Scale A-in-input_ds')).toBeInTheDocument();
    expect(screen.getByTestId('port-Inputs-out-src')).toBeInTheDocument();
  });
});
