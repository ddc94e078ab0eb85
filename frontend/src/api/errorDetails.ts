/** Reading the `details` of API errors for display (pure). */

function label(path: (string | number)[]): string {
  const parts: string[] = [];
  path.forEach((p, i) => {
    if (typeof p === 'number') {
      // "columns 2" reads better as "column 2"
      const prev = parts.pop();
      parts.push(`${prev && i > 0 ? prev.replace(/s$/, '') : 'item'} ${p + 1}`);
    } else {
      parts.push(p.replace(/_/g, ' '));
    }
  });
  const text = parts.join(' ');
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : '';
}

/**
 * Every message in an error's details, with the field it is about:
 * `{columns: ["Column 1: …"]}` → ["Column 1: …"] (the service's sentences name their column),
 * `{name: ["Required."]}` → ["Name: Required."],
 * DRF's nested `{columns: [{}, {name: ["Too long."]}]}` → ["Column 2 name: Too long."].
 */
export function detailMessages(details: unknown, path: (string | number)[] = []): string[] {
  if (details === null || details === undefined) return [];
  if (typeof details === 'string') {
    const where = path.length === 1 && path[0] === 'columns' ? '' : label(path);
    return [where ? `${where}: ${details}` : details];
  }
  if (Array.isArray(details)) {
    const allStrings = details.every((d) => typeof d === 'string');
    return details.flatMap((d, i) => detailMessages(d, allStrings ? path : [...path, i]));
  }
  if (typeof details === 'object') {
    return Object.entries(details as Record<string, unknown>).flatMap(([k, v]) => detailMessages(v, [...path, k]));
  }
  return [String(details)];
}
