/** The mark of a built-in (read-only) type. */
export function ReadOnlyMark() {
  return (
    <span className="badge mt-builtin" title="Built-in progressive type: read-only (no edit, new version or removal)" data-testid="builtin-mark">
      Built-in · read-only
    </span>
  );
}
