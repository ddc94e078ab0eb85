/** Marks `${…}` and `#{…}` placeholders in the algorithm so they stand out from the SQL around them. */
import { Decoration, MatchDecorator, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';

export const PLACEHOLDER_PATTERN = /[$#]\{[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?\}/g;

const decorator = new MatchDecorator({
  regexp: PLACEHOLDER_PATTERN,
  decoration: Decoration.mark({ class: 'cm-mb-placeholder' }),
});

export const placeholderHighlight = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = decorator.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = decorator.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);
