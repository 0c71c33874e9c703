import { describe, expect, it } from 'vitest';
import { compareVersions, formatRange, inRange, parseVersion, version } from './version.js';

describe('MLflow versions', () => {
  it('parses releases, two-part versions and pre-releases by their numeric part', () => {
    expect(parseVersion('3.17.2')).toMatchObject({ major: 3, minor: 17, patch: 2 });
    expect(parseVersion(' 2.9.2\n')).toMatchObject({ major: 2, minor: 9, patch: 2, text: '2.9.2' });
    expect(parseVersion('3.17')).toMatchObject({ major: 3, minor: 17, patch: 0 });
    expect(parseVersion('3.1.0.dev0')).toMatchObject({ major: 3, minor: 1, patch: 0 });
    expect(parseVersion('3.0.0rc1')).toMatchObject({ major: 3, minor: 0, patch: 0 });
  });

  it('rejects what is not a version (an HTML page, an empty answer)', () => {
    expect(parseVersion('<!doctype html>')).toBeUndefined();
    expect(parseVersion('')).toBeUndefined();
    expect(parseVersion('three')).toBeUndefined();
    expect(() => version('x')).toThrow(/not an MLflow version/);
  });

  it('orders numerically, not as text', () => {
    expect(compareVersions(version('3.10.1'), version('3.9.0'))).toBeGreaterThan(0);
    expect(compareVersions(version('2.22.5'), version('3.0.1'))).toBeLessThan(0);
    expect(compareVersions(version('3.17.2'), version('3.17.2'))).toBe(0);
  });

  it('treats a two-part upper bound as its whole minor series, and both bounds as inclusive', () => {
    expect(inRange(version('3.16.1'), { until: '3.16' })).toBe(true);
    expect(inRange(version('3.16.9'), { until: '3.16' })).toBe(true);
    expect(inRange(version('3.17.0'), { until: '3.16' })).toBe(false);
    expect(inRange(version('3.0.0'), { since: '3.0' })).toBe(true);
    expect(inRange(version('2.22.5'), { since: '3.0' })).toBe(false);
    expect(inRange(version('3.16.1'), { until: '3.16.0' })).toBe(false);
    expect(inRange(version('2.9.2'), {})).toBe(true);
    expect(formatRange({ since: '2.9', until: '3.17' })).toBe('2.9 … 3.17');
  });
});
