/**
 * Autocompletion of EMF placeholders in a simple module type's algorithm (DESIGN §6.1):
 * `${` → the declared dataset placeholders and `user.`, `module.`, `run.`; `${ds.` → the dataset
 * attributes; `${user.` / `${module.` / `${run.` → the general placeholders; `#{` → the declared
 * parameters; `#{p.` → the parameter attributes. The slots come from a getter so that completion
 * follows the editor's current (unsaved) slot tables. No React here.
 */
import { startCompletion, type Completion, type CompletionContext, type CompletionResult, type CompletionSource } from '@codemirror/autocomplete';
import { keywordCompletionSource, PostgreSQL } from '@codemirror/lang-sql';
import { syntaxTree } from '@codemirror/language';
import type { EditorView } from '@codemirror/view';

/** The dataset placeholder table of the EMF document. */
export const DATASET_ATTRIBUTES: readonly (readonly [string, string])[] = [
  ['table_name', 'The name of the PostgreSQL table that holds the data for the dataset.'],
  ['dataset_name', 'The dataset name.'],
  ['dataset_id', 'The dataset id.'],
  ['version', 'The version of the dataset as selected by the user.'],
  ['view', 'The name of the temporary view created for this dataset table (same as ${placeholder}).'],
  ['mode', 'The dataset mode: IN, INOUT or OUT.'],
  ['output_method', 'The dataset output method (mode OUT only): NEW or REPLACE.'],
  ['is_optional', 'TRUE if the dataset is optional, FALSE if it is required.'],
  ['is_set', 'TRUE if a dataset was provided for the placeholder, FALSE otherwise.'],
];

/** The general information placeholder table of the EMF document. */
export const GENERAL_PLACEHOLDERS: Readonly<Record<'user' | 'module' | 'run', readonly (readonly [string, string])[]>> = {
  user: [
    ['full_name', "The current user's full name."],
    ['id', "The current user's id."],
    ['account_name', "The current user's account name."],
  ],
  module: [
    ['name', "The current module's name."],
    ['id', "The current module's id."],
    ['final', 'Final if the module is final, else the empty string.'],
    ['project_name', "The module's project name, else the empty string."],
  ],
  run: [
    ['id', 'The unique run id.'],
    ['date', 'The run start date.'],
    ['time', 'The run start time.'],
  ],
};

/** The parameter placeholder table of the EMF document. */
export const PARAMETER_ATTRIBUTES: readonly (readonly [string, string])[] = [
  ['sql_type', "The parameter's SQL type."],
  ['mode', 'The parameter mode: IN, INOUT or OUT.'],
  ['input_value', "The parameter's input value (mode IN or INOUT)."],
  ['is_optional', 'TRUE if the parameter is optional, FALSE if it is required.'],
  ['is_set', 'TRUE if a value was provided for the parameter, FALSE otherwise.'],
];

export interface SlotSummary {
  name: string;
  mode?: string;
  /** Dataset type name or SQL type. */
  type?: string;
  description?: string;
}

export interface PlaceholderSlots {
  datasets: SlotSummary[];
  parameters: SlotSummary[];
}

/** Where the cursor is inside a placeholder being typed. */
export interface PlaceholderPosition {
  sigil: '$' | '#';
  /** The name before the dot, or null while the name itself is typed. */
  name: string | null;
  /** Offset (in the text before the cursor) where the completed word starts. */
  from: number;
  /** What is typed of that word. */
  typed: string;
}

const OPEN_RE = /([$#])\{([A-Za-z_][A-Za-z0-9_]*)?(?:\.([A-Za-z0-9_]*))?$/;

/** Reads `textBefore` (the text up to the cursor) for an unfinished `${…` or `#{…`. */
export function placeholderPosition(textBefore: string): PlaceholderPosition | null {
  const m = OPEN_RE.exec(textBefore);
  if (!m) return null;
  const sigil = m[1] as '$' | '#';
  const name = m[2] ?? '';
  const attribute = m[3];
  if (attribute !== undefined) {
    return { sigil, name, from: textBefore.length - attribute.length, typed: attribute };
  }
  return { sigil, name: null, from: textBefore.length - name.length, typed: name };
}

export interface PlaceholderOption {
  label: string;
  /** Inserted instead of the typed word. */
  insert: string;
  detail: string;
  info: string;
  type: 'variable' | 'property' | 'namespace';
  /** Open completion again after inserting (`user.` → its attributes). */
  reopen: boolean;
}

const GENERAL_NAMES = Object.keys(GENERAL_PLACEHOLDERS) as (keyof typeof GENERAL_PLACEHOLDERS)[];

/**
 * The options at a placeholder position. `closed` says a `}` already follows the cursor (then none is
 * added). Names match case-insensitively, as in EMF.
 */
export function placeholderOptions(position: PlaceholderPosition, slots: PlaceholderSlots, closed = false): PlaceholderOption[] {
  const end = closed ? '' : '}';
  const attr = (pairs: readonly (readonly [string, string])[], detail: string): PlaceholderOption[] =>
    pairs.map(([label, info]) => ({ label, insert: label + end, detail, info, type: 'property', reopen: false }));

  if (position.name === null) {
    if (position.sigil === '#') {
      return slots.parameters
        .filter((p) => p.name)
        .map((p) => ({
          label: p.name,
          insert: p.name + end,
          detail: ['parameter', p.mode, p.type].filter(Boolean).join(' '),
          info: p.description ?? '',
          type: 'variable',
          reopen: false,
        }));
    }
    return [
      ...slots.datasets
        .filter((d) => d.name)
        .map(
          (d): PlaceholderOption => ({
            label: d.name,
            insert: d.name + end,
            detail: ['dataset', d.mode, d.type].filter(Boolean).join(' '),
            info: d.description ?? '',
            type: 'variable',
            reopen: false,
          }),
        ),
      ...GENERAL_NAMES.map(
        (g): PlaceholderOption => ({
          label: `${g}.`,
          insert: `${g}.`,
          detail: 'general',
          info: `${g}: ${GENERAL_PLACEHOLDERS[g].map(([a]) => a).join(', ')}`,
          type: 'namespace',
          reopen: true,
        }),
      ),
    ];
  }

  const name = position.name.toLowerCase();
  if (position.sigil === '#') {
    const known = slots.parameters.some((p) => p.name.toLowerCase() === name);
    return known ? attr(PARAMETER_ATTRIBUTES, 'parameter attribute') : [];
  }
  if ((GENERAL_NAMES as string[]).includes(name)) {
    return attr(GENERAL_PLACEHOLDERS[name as keyof typeof GENERAL_PLACEHOLDERS], name);
  }
  const known = slots.datasets.some((d) => d.name.toLowerCase() === name);
  return known ? attr(DATASET_ATTRIBUTES, 'dataset attribute') : [];
}

/** True inside an SQL comment, where placeholders are ignored (and so not offered). */
function inComment(context: CompletionContext): boolean {
  const node = syntaxTree(context.state).resolveInner(context.pos, -1);
  return /Comment/.test(node.name);
}

function toCompletion(option: PlaceholderOption): Completion {
  return {
    label: option.label,
    detail: option.detail,
    info: option.info || undefined,
    type: option.type,
    boost: option.type === 'variable' ? 10 : 0,
    apply: option.reopen
      ? (view: EditorView, _completion: Completion, from: number, to: number) => {
          view.dispatch({
            changes: { from, to, insert: option.insert },
            selection: { anchor: from + option.insert.length },
            userEvent: 'input.complete',
          });
          startCompletion(view);
        }
      : option.insert,
  };
}

/** A CodeMirror completion source for placeholders (null outside a placeholder or in a comment). */
export function placeholderCompletionSource(getSlots: () => PlaceholderSlots): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const position = placeholderPosition(before);
    if (!position) return null;
    if (inComment(context)) return null;
    const closed = context.state.sliceDoc(context.pos, context.pos + 1) === '}';
    const options = placeholderOptions(position, getSlots(), closed);
    if (options.length === 0) return null;
    return {
      from: line.from + position.from,
      options: options.map(toCompletion),
      validFor: /^[A-Za-z0-9_]*$/,
    };
  };
}

const sqlKeywords = keywordCompletionSource(PostgreSQL, true);

/** Placeholders inside `${…}`/`#{…}`, PostgreSQL keywords elsewhere. */
export function algorithmCompletionSource(getSlots: () => PlaceholderSlots): CompletionSource {
  const placeholders = placeholderCompletionSource(getSlots);
  return (context) => {
    const line = context.state.doc.lineAt(context.pos);
    if (placeholderPosition(line.text.slice(0, context.pos - line.from))) return placeholders(context);
    return sqlKeywords(context);
  };
}
