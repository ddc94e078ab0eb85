import { describe, expect, it } from 'vitest';
import { capitalize, displayName, healthCheckLabel, orderHealthChecks } from './format';
import { redirectTarget } from './pages/LoginPage';

describe('format', () => {
  it('capitalizes roles', () => {
    expect(['viewer', 'modeler', 'admin'].map(capitalize)).toEqual(['Viewer', 'Modeler', 'Admin']);
    expect(capitalize('')).toBe('');
    expect(capitalize(undefined)).toBe('');
  });
  it('prefers the full name', () => {
    expect(displayName({ full_name: 'Ada Lovelace', username: 'ada' })).toBe('Ada Lovelace');
    expect(displayName({ full_name: '  ', username: 'ada' })).toBe('ada');
    expect(displayName({ full_name: null, username: 'ada' })).toBe('ada');
  });
  it('labels and orders health checks', () => {
    expect(healthCheckLabel('workspace_db')).toBe('Workspace database');
    expect(healthCheckLabel('disk_space')).toBe('Disk space');
    expect(orderHealthChecks(['zeta', 'worker', 'app_db', 'alpha', 'redis'])).toEqual([
      'app_db',
      'redis',
      'worker',
      'alpha',
      'zeta',
    ]);
  });
});

describe('redirectTarget', () => {
  it('returns the page the user came from, or Home', () => {
    expect(redirectTarget({ from: { pathname: '/modules', search: '?a=1', hash: '#x' } })).toBe('/modules?a=1#x');
    expect(redirectTarget(null)).toBe('/');
    expect(redirectTarget({})).toBe('/');
    expect(redirectTarget({ from: { pathname: '/login', search: '', hash: '' } })).toBe('/');
    expect(redirectTarget({ from: { pathname: '//evil.example', search: '', hash: '' } })).toBe('/');
    expect(redirectTarget({ from: { pathname: 'https://evil.example', search: '', hash: '' } })).toBe('/');
  });
});
