import { describe, expect, it } from 'vitest';
import {
  capitalize,
  displayName,
  formatBytes,
  formatCount,
  formatDateTime,
  healthCheckLabel,
  orderHealthChecks,
  percentOf,
} from './format';
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

describe('formatBytes', () => {
  it('uses binary units with one decimal below 10', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024)).toBe('10 KB');
    expect(formatBytes(5_000_000)).toBe('4.8 MB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB');
  });
  it('shows a dash for nothing or nonsense', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('percentOf', () => {
  it('floors and clamps, null without a total', () => {
    expect(percentOf(0, 200)).toBe(0);
    expect(percentOf(199, 200)).toBe(99);
    expect(percentOf(200, 200)).toBe(100);
    expect(percentOf(250, 200)).toBe(100);
    expect(percentOf(10, null)).toBeNull();
    expect(percentOf(10, 0)).toBeNull();
  });
});

describe('formatCount and formatDateTime', () => {
  it('groups thousands', () => {
    expect(formatCount(2500)).toBe('2,500');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(null)).toBe('—');
  });
  it('formats local time as YYYY-MM-DD HH:MM', () => {
    const local = new Date(2024, 4, 1, 14, 3, 59);
    expect(formatDateTime(local.toISOString())).toBe('2024-05-01 14:03');
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('not a date');
  });
});
