/** The Module Editor's tab from the URL's `?tab=` (pure): a tab the module has, else Summary. */
const TABS = ['summary', 'datasets', 'parameters', 'internal', 'algorithm', 'aggregation', 'history'];

export function editorTab(requested: string | null, kind: 'simple' | 'composite' | 'progressive' | undefined): string {
  if (!requested || !TABS.includes(requested)) return 'summary';
  if (requested === 'internal' && kind !== 'composite') return kind ? 'summary' : requested;
  return requested;
}
