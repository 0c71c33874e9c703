import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePath, stripStaticPrefix } from './normalize.js';

function path(raw: string, prefix = ''): string {
  const r = normalizePath(raw, prefix);
  if (!r.ok) throw new Error(`expected ${raw} to normalise, got ${r.message}`);
  return r.path;
}

function refused(raw: string, prefix = ''): boolean {
  const r = normalizePath(raw, prefix);
  if (!r.ok) expect(r.code).toBe('GW_BAD_PATH');
  return !r.ok;
}

describe('normalizePath', () => {
  it('keeps ordinary paths and splits the raw query off at the first "?"', () => {
    expect(normalizePath('/api/2.0/mlflow/experiments/get?experiment_id=1&x=a?b')).toEqual({
      ok: true,
      path: '/api/2.0/mlflow/experiments/get',
      query: 'experiment_id=1&x=a?b',
    });
    expect(normalizePath('/')).toEqual({ ok: true, path: '/', query: '' });
    expect(normalizePath('/?')).toEqual({ ok: true, path: '/', query: '' });
  });

  it('collapses "//" runs and removes a trailing slash, except at the root', () => {
    expect(path('//api///2.0//mlflow/experiments/get/')).toBe('/api/2.0/mlflow/experiments/get');
    expect(path('/api/2.0/mlflow/experiments/get/')).toBe('/api/2.0/mlflow/experiments/get');
    expect(path('/ajax-api/3.0/jobs/')).toBe('/ajax-api/3.0/jobs');
    expect(path('//')).toBe('/');
  });

  it('keeps case (MLflow routes are case-sensitive)', () => {
    expect(path('/API/2.0/MLflow')).toBe('/API/2.0/MLflow');
  });

  it('decodes unreserved escapes and canonicalises the rest to upper-case hex', () => {
    expect(path('/api/2.0/mlflow/%65xperiments/get')).toBe('/api/2.0/mlflow/experiments/get');
    expect(path('/a/%41%7a%30%2D%5F%7E')).toBe('/a/Az0-_~');
    expect(path('/api/2.0/mlflow-artifacts/artifacts/1/a%20b%3a')).toBe('/api/2.0/mlflow-artifacts/artifacts/1/a%20b%3A');
    expect(path('/a/%C3%A9')).toBe('/a/%C3%A9');
    expect(path('/a/%25')).toBe('/a/%25');
  });

  it.each([
    ['fragment', '/api/2.0/mlflow/experiments/get#x'],
    ['fragment in the query', '/a?x=1#y'],
    ['encoded slash', '/api/2.0/mlflow-artifacts/artifacts/1%2F..%2F2/x'],
    ['encoded slash, lower case', '/a%2fb'],
    ['encoded backslash', '/a%5cb'],
    ['encoded dot', '/api/2.0/mlflow-artifacts/artifacts/%2e%2e/x'],
    ['encoded dot, upper case', '/a/%2E'],
    ['encoded hash', '/a%23b'],
    ['encoded question mark', '/a%3Fb'],
    ['encoded NUL', '/a%00b'],
    ['encoded control character', '/a%0Ab'],
    ['encoded DEL', '/a%7Fb'],
    ['matrix parameter', '/api/2.0/mlflow/experiments/get;x=y'],
    ['bare semicolon', '/a;'],
    ['dot-dot segment', '/api/2.0/mlflow/../../x'],
    ['dot segment', '/api/./2.0'],
    ['trailing dot segment', '/api/..'],
    ['backslash', '/api\\2.0'],
    ['non-ASCII', '/a/é'],
    ['space', '/a b'],
    ['control character', '/a\tb'],
    ['control character in the query', '/a?x=\n'],
    ['truncated escape', '/a%2'],
    ['non-hex escape', '/a%zz'],
    ['invalid UTF-8 escape', '/a/%C3'],
    ['relative path', 'api/2.0'],
    ['absolute-form target', 'http://mlflow/api/2.0'],
    ['asterisk-form target', '*'],
  ])('refuses a %s', (_what, raw) => {
    expect(refused(raw)).toBe(true);
  });

  it('keeps "<prefix>/" as the UI root under a static prefix', () => {
    expect(path('/mlflow', '/mlflow')).toBe('/mlflow/');
    expect(path('/mlflow/', '/mlflow')).toBe('/mlflow/');
    expect(path('/mlflow//', '/mlflow')).toBe('/mlflow/');
    expect(path('/mlflow/api/2.0/mlflow/experiments/get/', '/mlflow')).toBe('/mlflow/api/2.0/mlflow/experiments/get');
  });

  it('rejects a malformed static prefix (configuration error)', () => {
    expect(() => normalizePath('/', 'mlflow')).toThrow(/static prefix/);
    expect(() => normalizePath('/', '/mlflow/')).toThrow(/static prefix/);
    expect(() => normalizePath('/', '/a/../b')).toThrow(/static prefix/);
  });
});

describe('stripStaticPrefix', () => {
  it('returns the route path relative to the server root', () => {
    expect(stripStaticPrefix('/api/2.0/x', '')).toBe('/api/2.0/x');
    expect(stripStaticPrefix('/mlflow/api/2.0/x', '/mlflow')).toBe('/api/2.0/x');
    expect(stripStaticPrefix('/mlflow/', '/mlflow')).toBe('/');
    expect(stripStaticPrefix('/mlflow', '/mlflow')).toBe('/');
  });

  it('returns null outside the prefix (not an MLflow route)', () => {
    expect(stripStaticPrefix('/api/2.0/x', '/mlflow')).toBeNull();
    expect(stripStaticPrefix('/mlflowx/api', '/mlflow')).toBeNull();
  });
});

describe('normalizePath properties', () => {
  const segment = fc.oneof(
    fc.constantFrom(
      '.',
      '..',
      '%2e',
      '%2E%2e',
      '%2F',
      '%2f',
      '%5C',
      ';x=y',
      'a;b',
      '#',
      '%23',
      '%3F',
      '%00',
      '%41',
      '%7e',
      '%20',
      '%zz',
      '%C3%A9',
      'é',
      '\u2028',
      '',
      '\\',
      'api',
      '2.0',
      'mlflow',
      'experiments',
      'get',
      '..a',
      'a.',
      '~',
    ),
    fc.stringMatching(/^[A-Za-z0-9._~-]{1,6}$/),
    fc.string({ maxLength: 4 }),
  );
  const rawPath = fc
    .tuple(fc.array(segment, { maxLength: 8 }), fc.boolean(), fc.option(fc.string({ maxLength: 6 }), { nil: undefined }))
    .map(([segs, trailing, q]) => `/${segs.join('/')}${trailing ? '/' : ''}${q === undefined ? '' : `?${q}`}`);

  it('either refuses, or yields a clean, idempotent path', () => {
    fc.assert(
      fc.property(rawPath, (raw) => {
        const r = normalizePath(raw);
        if (!r.ok) return;
        const p = r.path;
        expect(p.startsWith('/')).toBe(true);
        expect(p).not.toContain('//');
        expect(p).not.toMatch(/;|#|\\|\?/);
        expect(p).not.toMatch(/%2[eEfF]|%5[cC]|%23|%3[fF]|%00/);
        expect(p.split('/').some((s) => s === '.' || s === '..')).toBe(false);
        expect(p === '/' || !p.endsWith('/')).toBe(true);
        expect(/^[\x21-\x7e]*$/.test(p)).toBe(true);
        const again = normalizePath(p);
        expect(again).toEqual({ ok: true, path: p, query: '' });
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent under a static prefix too', () => {
    fc.assert(
      fc.property(rawPath, (raw) => {
        const r = normalizePath(`/mlflow${raw}`, '/mlflow');
        if (!r.ok) return;
        expect(normalizePath(r.path, '/mlflow')).toEqual({ ok: true, path: r.path, query: '' });
      }),
      { numRuns: 500 },
    );
  });
});
