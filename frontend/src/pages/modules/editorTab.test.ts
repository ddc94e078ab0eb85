import { describe, expect, it } from 'vitest';
import { editorTab } from './editorTab';

describe('the Module Editor tab in the URL (issue 14 #12)', () => {
  it('opens the tab the URL names, else Summary', () => {
    expect(editorTab('history', 'simple')).toBe('history');
    expect(editorTab(null, 'simple')).toBe('summary');
    expect(editorTab('nope', 'simple')).toBe('summary');
    expect(editorTab('internal', 'simple')).toBe('summary');
    expect(editorTab('internal', 'composite')).toBe('internal');
    expect(editorTab('internal', undefined)).toBe('internal'); // until the version is loaded
  });
});
