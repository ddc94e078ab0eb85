/**
 * Inline diagnostics for CodeMirror 6: underlined ranges, a marked line and a hover tooltip with the
 * message. (@codemirror/lint is not among the installed packages; this is the small part of it we need,
 * with the same `{from, to, severity, message}` shape, so it can be swapped for it.)
 */
import { RangeSetBuilder, StateEffect, StateField, type EditorState, type Extension } from '@codemirror/state';
import { Decoration, EditorView, hoverTooltip, WidgetType, type DecorationSet } from '@codemirror/view';
import type { EditorDiagnostic } from './diagnostics';

export const setDiagnosticsEffect = StateEffect.define<readonly EditorDiagnostic[]>();

class EndMarker extends WidgetType {
  constructor(readonly message: string) {
    super();
  }
  eq(other: EndMarker) {
    return other.message === this.message;
  }
  toDOM() {
    const span = document.createElement('span');
    span.className = 'cm-mb-diagnostic-point';
    span.title = this.message;
    span.textContent = ' ';
    return span;
  }
}

function build(state: EditorState, diagnostics: readonly EditorDiagnostic[]): DecorationSet {
  const length = state.doc.length;
  const ranges: { from: number; to: number; deco: Decoration }[] = [];
  const lines = new Set<number>();
  for (const d of diagnostics) {
    const from = Math.max(0, Math.min(d.from, length));
    const to = Math.max(from, Math.min(d.to, length));
    const line = state.doc.lineAt(from);
    if (!lines.has(line.from)) {
      lines.add(line.from);
      ranges.push({ from: line.from, to: line.from, deco: Decoration.line({ class: 'cm-mb-diagnostic-line' }) });
    }
    const attributes = { title: d.message, 'data-code': d.code };
    ranges.push(
      to > from
        ? { from, to, deco: Decoration.mark({ class: `cm-mb-diagnostic cm-mb-diagnostic-${d.severity}`, attributes }) }
        : { from, to: from, deco: Decoration.widget({ widget: new EndMarker(d.message), side: 1 }) },
    );
  }
  ranges.sort((a, b) => a.from - b.from || a.deco.startSide - b.deco.startSide);
  const builder = new RangeSetBuilder<Decoration>();
  for (const r of ranges) builder.add(r.from, r.to, r.deco);
  return builder.finish();
}

interface DiagnosticsState {
  diagnostics: readonly EditorDiagnostic[];
  decorations: DecorationSet;
}

export const diagnosticsField = StateField.define<DiagnosticsState>({
  create: () => ({ diagnostics: [], decorations: Decoration.none }),
  update(value, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setDiagnosticsEffect)) {
        return { diagnostics: effect.value, decorations: build(tr.state, effect.value) };
      }
    }
    if (!tr.docChanged) return value;
    // Follow the edits until the next validation replaces them.
    return {
      diagnostics: value.diagnostics.map((d) => ({
        ...d,
        from: tr.changes.mapPos(d.from, 1),
        to: Math.max(tr.changes.mapPos(d.from, 1), tr.changes.mapPos(d.to, -1)),
      })),
      decorations: value.decorations.map(tr.changes),
    };
  },
  provide: (field) => EditorView.decorations.from(field, (value) => value.decorations),
});

const diagnosticsTooltip = hoverTooltip((view, pos) => {
  const found = view.state
    .field(diagnosticsField)
    .diagnostics.filter((d) => pos >= d.from && pos <= Math.max(d.to, d.from + 1));
  if (found.length === 0) return null;
  return {
    pos: found[0]!.from,
    end: found[0]!.to,
    above: true,
    create() {
      const dom = document.createElement('div');
      dom.className = 'cm-mb-diagnostic-tooltip';
      for (const d of found) {
        const p = document.createElement('div');
        p.textContent = d.message;
        dom.appendChild(p);
      }
      return { dom };
    },
  };
});

/** The extension: add once to the editor; then dispatch {@link setDiagnostics}. */
export function diagnosticsExtension(): Extension {
  return [diagnosticsField, diagnosticsTooltip];
}

export function setDiagnostics(diagnostics: readonly EditorDiagnostic[]) {
  return { effects: setDiagnosticsEffect.of(diagnostics) };
}
