import { describe, expect, it } from 'vitest';
import type { Config } from '../config/index.js';
import { safeReturnTo } from './return-to.js';

const root = { basePath: '', publicOrigin: 'https://gw.example' } as Config;
const mounted = { basePath: '/mlflow', publicOrigin: 'https://gw.example' } as Config;

// Every payload that a browser would turn into another origin, whatever the parser's tricks.
export const OPEN_REDIRECT_PAYLOADS = [
  '//evil.example/x', '/.//evil.example/x', '/..//evil.example/x', '/x/..//evil.example/x', '/x/../..//evil.example/x',
  '/%2e//evil.example/x', '/%2E//evil.example/x', '/%2e%2e//evil.example/x', '/x/%2e%2e//evil.example/x', '/./%2e/.//evil.example',
  '/\\evil.example/x', '/\\\\evil.example', '\\\\evil.example', '/\t/evil.example/x', '/\n/evil.example/x', '/\r//evil.example',
  '/ /evil.example', 'https://evil.example/x', 'http:evil.example', 'javascript:alert(1)', 'evil.example',
  '/.\\/evil.example', '/x/..\\/evil.example', '/%5c/evil.example', '/%5C%5Cevil.example', '/\u0000/evil.example',
  '/\u3002/evil.example', '/.%2f/evil.example', '/%2f/evil.example', '/%2F%2Fevil.example',
];

describe('safeReturnTo', () => {
  it('keeps plain paths, query and fragment on the gateway', () => {
    expect(safeReturnTo(root, '/#/experiments/1?x=1')).toBe('/#/experiments/1?x=1');
    expect(safeReturnTo(root, '/ajax-api/x?a=b')).toBe('/ajax-api/x?a=b');
    expect(safeReturnTo(mounted, '/mlflow/#/models')).toBe('/mlflow/#/models');
    expect(safeReturnTo(root, '/a/./b/../c')).toBe('/a/c');
  });

  it.each(OPEN_REDIRECT_PAYLOADS)('never leaves the origin: %j', (payload) => {
    for (const config of [root, mounted]) {
      const out = safeReturnTo(config, payload);
      expect(out.startsWith('/')).toBe(true);
      expect(out.startsWith('//')).toBe(false);
      expect(new URL(out, 'https://gw.example/deep/page').origin).toBe('https://gw.example');
      expect(out).not.toMatch(/[\\\s]/);
    }
  });

  it('the normalised paths that would be protocol-relative fall back home, not to a "fixed" path', () => {
    expect(safeReturnTo(root, '/.//evil.example/x')).toBe('/');
    expect(safeReturnTo(root, '/%2e//evil.example/x')).toBe('/');
    expect(safeReturnTo(mounted, '/mlflow/..//evil.example/x')).toBe('/mlflow/');
  });

  it('stays under the mount point and never returns to the sign-in endpoints', () => {
    expect(safeReturnTo(mounted, '/other-app/')).toBe('/mlflow/');
    expect(safeReturnTo(mounted, '/mlflow/../other-app/')).toBe('/mlflow/');
    expect(safeReturnTo(mounted, '/mlflowx')).toBe('/mlflow/');
    expect(safeReturnTo(root, '/_gateway/login?return_to=//evil.example')).toBe('/');
    expect(safeReturnTo(root, '/_gateway/callback?code=x')).toBe('/');
    expect(safeReturnTo(root, '/_gateway/./logout')).toBe('/');
  });
});
