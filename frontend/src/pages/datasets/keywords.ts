/** Keywords are a map name → text; the editor shows them as rows. */

export interface KeywordRow {
  key: string;
  value: string;
}

export function keywordsToRows(keywords: Record<string, string> | null | undefined): KeywordRow[] {
  return Object.entries(keywords ?? {}).map(([key, value]) => ({ key, value }));
}

/** Rows → map; rows left entirely blank are ignored. Names must be present, unique, ≤ 100 characters. */
export function rowsToKeywords(rows: KeywordRow[]): { keywords: Record<string, string>; errors: string[] } {
  const keywords: Record<string, string> = {};
  const errors: string[] = [];
  rows.forEach((row, index) => {
    const key = row.key.trim();
    if (!key && !row.value.trim()) return;
    if (!key) {
      errors.push(`Keyword ${index + 1} needs a name.`);
      return;
    }
    if (key.length > 100) {
      errors.push(`Keyword ${index + 1}: names are at most 100 characters.`);
      return;
    }
    if (key in keywords) {
      errors.push(`Keyword ${key} appears twice.`);
      return;
    }
    keywords[key] = row.value;
  });
  return { keywords, errors };
}
