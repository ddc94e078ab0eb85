import { autocompletion, closeCompletion } from '@codemirror/autocomplete';
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  lineNumbers,
  placeholder as placeholderText,
} from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { algorithmCompletionSource, type PlaceholderSlots } from './completion';
import { toLintDiagnostics, type EditorDiagnostic } from './diagnostics';
import { placeholderHighlight } from './placeholderHighlight';

interface Props {
  value: string;
  onChange: (value: string) => void;
  readOnly: boolean;
  /** The current (unsaved) slots: completion follows them. */
  slots: PlaceholderSlots;
  diagnostics: readonly EditorDiagnostic[];
  /** Editor text as validated: diagnostics are only applied when it is still the editor's text. */
  diagnosticsFor: string | null;
  /** The editor's accessible name and test id (the algorithm's by default; an aggregation field's). */
  label?: string;
  testId?: string;
  /** Shown while the editor is empty. */
  emptyText?: string;
  /** A smaller editor (the three aggregation fields share the space of one algorithm). */
  compact?: boolean;
}

/** The editor's look; `minHeight` smaller for the three aggregation fields, which share the space of one algorithm. */
const themeOf = (minHeight: string) =>
  EditorView.theme({
    '&': { fontSize: '12.5px', border: '1px solid var(--border-strong)', borderRadius: '4px', background: '#fff' },
    '.cm-scroller': { fontFamily: 'var(--mono)', minHeight, maxHeight: '60vh', overflow: 'auto' },
    '.cm-content': { minHeight },
    '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '1px' },
  });
const theme = themeOf('240px');
const compactTheme = themeOf('110px');

/** CodeMirror 6 with PostgreSQL highlighting, line numbers, placeholder completion and inline errors. */
export function AlgorithmEditor({
  value,
  onChange,
  readOnly,
  slots,
  diagnostics,
  diagnosticsFor,
  label = 'Algorithm',
  testId = 'algorithm-editor',
  emptyText = '-- PL/pgSQL; type ${ for dataset placeholders, #{ for parameters',
  compact = false,
}: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  const slotsRef = useRef(slots);
  const editable = useRef(new Compartment());
  const empty = useRef(new Compartment());
  useEffect(() => {
    onChangeRef.current = onChange;
    slotsRef.current = slots;
  });

  useEffect(() => {
    if (!host.current) return;
    const created = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightSpecialChars(),
          drawSelection(),
          highlightActiveLine(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          sql({ dialect: PostgreSQL, upperCaseKeywords: true }),
          autocompletion({ override: [algorithmCompletionSource(() => slotsRef.current)], activateOnTypingDelay: 50 }),
          placeholderHighlight,
          lintGutter(),
          empty.current.of(placeholderText(emptyText)),
          editable.current.of([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
          EditorView.contentAttributes.of({ 'aria-label': label, 'data-testid': testId }),
          compact ? compactTheme : theme,
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChangeRef.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
    // The view is created once; value, readOnly and diagnostics changes are applied below.
  }, []);

  // Text set from outside (reload, a saved version): replace the document.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== value) {
      v.dispatch({ changes: { from: 0, to: current.length, insert: value } });
      closeCompletion(v);
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: empty.current.reconfigure(placeholderText(emptyText)) });
  }, [emptyText]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
    });
  }, [readOnly]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    // Results for an older text would point at the wrong places: keep the mapped previous ones.
    if (diagnosticsFor !== null && diagnosticsFor !== v.state.doc.toString()) return;
    v.dispatch(setDiagnostics(v.state, toLintDiagnostics(diagnostics)));
  }, [diagnostics, diagnosticsFor]);

  return <div ref={host} className="mt-algorithm-editor" />;
}
