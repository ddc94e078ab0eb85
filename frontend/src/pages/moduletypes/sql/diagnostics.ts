/**
 * Validation errors (1-based line/column in the algorithm, columns counted in characters as the
 * server counts them) → editor ranges, shown by @codemirror/lint (underline, gutter marker, tooltip).
 */
import type { Diagnostic } from '@codemirror/lint';
import type { ValidationError } from '../../../api/types';

export interface EditorDiagnostic {
  from: number;
  to: number;
  severity: 'error' | 'warning';
  message: string;
  code: string;
}

/** Offset of 1-based (line, column) in text; column counts code points. Clamped to the line. */
export function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return text.length;
    start = nl + 1;
  }
  const nl = text.indexOf('\n', start);
  const end = nl < 0 ? text.length : nl;
  let offset = start;
  for (let c = 1; c < column && offset < end; c++) {
    const code = text.codePointAt(offset) ?? 0;
    offset += code > 0xffff ? 2 : 1;
  }
  return Math.min(offset, end);
}

const PLACEHOLDER_AT = /^[$#]\{[^}\n]*\}?/;
const WORD_AT = /^[A-Za-z0-9_$]+/;

/** The diagnostics of the errors that have a line (the others are only listed under the editor). */
export function diagnosticsFromErrors(text: string, errors: readonly ValidationError[]): EditorDiagnostic[] {
  const out: EditorDiagnostic[] = [];
  for (const e of errors) {
    if (e.line == null || e.line < 1) continue;
    const from = offsetOf(text, e.line, e.column ?? 1);
    const rest = text.slice(from, text.indexOf('\n', from) < 0 ? text.length : text.indexOf('\n', from));
    const match = PLACEHOLDER_AT.exec(rest) ?? WORD_AT.exec(rest);
    const length = match ? match[0].length : Math.min(1, rest.length);
    out.push({ from, to: from + length, severity: 'error', message: e.message, code: e.code });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** As @codemirror/lint wants them: the error code becomes the diagnostic's source, shown in its tooltip. */
export function toLintDiagnostics(diagnostics: readonly EditorDiagnostic[]): Diagnostic[] {
  return diagnostics.map(({ code, ...d }) => ({ ...d, source: code }));
}

/**
 * A message without the location it repeats, for places that show the location next to it
 * ("line 3, column 23: Syntax error: …", not "line 3, column 23: Syntax error at line 3, column 23: …").
 */
export function withoutLocation(message: string, line?: number | null, column?: number | null): string {
  if (line == null) return message;
  const where = column != null ? `(?:,? column ${column})?` : '';
  const pattern = new RegExp(`\\s*\\(?\\b(?:at|on) line ${line}${where}\\)?(?=[\\s:.,;]|$)`, 'i');
  return message.replace(pattern, '').replace(/\s+:/, ':');
}
