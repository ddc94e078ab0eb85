import { diagnosticCount, forEachDiagnostic, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { diagnosticsFromErrors, offsetOf, toLintDiagnostics, withoutLocation } from './diagnostics';

describe('offsetOf', () => {
  const text = 'SELECT 1;\nINSERT INTO ${out}\n';
  it('maps 1-based line and column to an offset', () => {
    expect(offsetOf(text, 1, 1)).toBe(0);
    expect(offsetOf(text, 2, 13)).toBe(text.indexOf('${'));
  });
  it('clamps to the line and the text', () => {
    expect(offsetOf(text, 1, 99)).toBe(9);
    expect(offsetOf(text, 9, 1)).toBe(text.length);
  });
  it('counts columns in characters, as the server does', () => {
    const emoji = '-- 😀\n😀 ${x}';
    expect(offsetOf(emoji, 2, 3)).toBe(emoji.indexOf('${'));
  });
});

describe('diagnosticsFromErrors', () => {
  it('covers the whole placeholder the error is about', () => {
    const text = 'SELECT *\nFROM ${nope} t;';
    const [d] = diagnosticsFromErrors(text, [
      { code: 'unknown_placeholder', message: 'Unknown placeholder ${nope}', line: 2, column: 6 },
    ]);
    expect(text.slice(d!.from, d!.to)).toBe('${nope}');
    expect(d).toMatchObject({ severity: 'error', code: 'unknown_placeholder' });
  });
  it('skips errors without a line and sorts by position', () => {
    const text = 'a b\nc';
    const list = diagnosticsFromErrors(text, [
      { code: 'x', message: 'second', line: 2, column: 1 },
      { code: 'y', message: 'slot problem' },
      { code: 'z', message: 'first', line: 1, column: 3 },
    ]);
    expect(list.map((d) => d.message)).toEqual(['first', 'second']);
    expect(text.slice(list[0]!.from, list[0]!.to)).toBe('b');
  });
});

describe('inline diagnostics in the editor', () => {
  it('are held by @codemirror/lint and follow edits', () => {
    let state = EditorState.create({ doc: 'FROM ${nope}' });
    const diagnostics = toLintDiagnostics([{ from: 5, to: 12, severity: 'error', message: 'Unknown', code: 'u' }]);
    expect(diagnostics[0]).toMatchObject({ source: 'u', message: 'Unknown' });
    state = state.update(setDiagnostics(state, diagnostics)).state;
    expect(diagnosticCount(state)).toBe(1);
    state = state.update({ changes: { from: 0, insert: 'SELECT * ' } }).state;
    const found: string[] = [];
    forEachDiagnostic(state, (_d, from, to) => found.push(state.sliceDoc(from, to)));
    expect(found).toEqual(['${nope}']);
    state = state.update(setDiagnostics(state, [])).state;
    expect(diagnosticCount(state)).toBe(0);
  });
});

describe('withoutLocation (issue 14 #15)', () => {
  it('drops the location the list already shows', () => {
    expect(withoutLocation('Syntax error at line 3, column 23: syntax error at or near "FROM".', 3, 23)).toBe(
      'Syntax error: syntax error at or near "FROM".',
    );
    expect(withoutLocation("Malformed placeholder '${x' at line 2, column 5: expected ${name}.", 2, 5)).toBe(
      "Malformed placeholder '${x': expected ${name}.",
    );
    expect(withoutLocation('Placeholder ${x} at line 4, column 1 cannot be used here.', 4, 1)).toBe(
      'Placeholder ${x} cannot be used here.',
    );
    // Another location, or none, stays.
    expect(withoutLocation('Syntax error at line 7, column 2: x.', 3, 23)).toBe('Syntax error at line 7, column 2: x.');
    expect(withoutLocation('Unknown slot.', 3, 1)).toBe('Unknown slot.');
    expect(withoutLocation('Syntax error at line 3: x.', null)).toBe('Syntax error at line 3: x.');
  });
});
