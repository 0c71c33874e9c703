import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/devtools/idp/index.js';
import { HttpBrowser } from '../support/http-browser.js';
import { startStack, type Stack } from '../support/stack.js';

// After a real sign-in at the demo IdP, the gateway redirects to `return_to`. Whatever the
// payload, the Location it sends must stay on the gateway's origin and under its mount point —
// judged after URL normalisation (dot segments, %2e, backslashes, tabs/newlines), since that is
// what the browser follows.
const PAYLOADS = [
  '//evil.example/x', '/.//evil.example/x', '/..//evil.example/x', '/x/..//evil.example/x', '/x/../..//evil.example/x',
  '/%2e//evil.example/x', '/%2E//evil.example/x', '/%2e%2e//evil.example/x', '/x/%2e%2e//evil.example/x', '/./%2e/.//evil.example',
  '/\\evil.example/x', '/\\\\evil.example', '\\\\evil.example', '/.\\/evil.example', '/x/..\\/evil.example',
  '/\t/evil.example/x', '/\n/evil.example/x', '/\r\n//evil.example', '/ /evil.example', '/%09/evil.example', '/%0a/evil.example',
  '/%5c/evil.example', '/%5C%5Cevil.example', '/%2f/evil.example', '/%2F%2Fevil.example', '/.%2f/evil.example',
  'https://evil.example/x', 'http:evil.example', '//evil.example@127.0.0.1/', 'javascript:alert(1)', 'evil.example', '/\u3002/evil.example',
];

describe('open redirect after sign-in', () => {
  for (const basePath of ['', '/mlflow']) {
    describe(`mounted at ${basePath || '/'}`, () => {
      let stack: Stack;
      beforeAll(async () => {
        stack = await startStack({ basePath });
      });
      afterAll(async () => stack?.stop());

      /** Signs alice in through /_gateway/login?return_to=<raw> and returns where the callback sends the browser. */
      async function landing(raw: string): Promise<{ location: string; resolved: URL }> {
        const browser = new HttpBrowser();
        const page = await browser.follow(`${stack.gatewayUrl}/_gateway/login?return_to=${encodeURIComponent(raw)}`);
        expect(page.url.startsWith(stack.idp.issuer), `expected the IdP login page, got ${page.url}`).toBe(true);
        const alice = DEMO_USERS.find((u) => u.username === 'alice')!;
        const callback = `${stack.gatewayUrl}/_gateway/callback`;
        const done = await browser.submitForm(page.url, await page.response.text(), { username: alice.username, password: alice.password }, {
          stopAt: (u) => !u.startsWith(stack.idp.issuer) && !u.startsWith(callback),
        });
        expect(done.stopped).toBe(true);
        const location = done.response.headers.get('location') ?? '';
        expect(browser.cookie(stack.origin, stack.config.cookieName), 'the sign-in itself succeeds').toBeDefined();
        return { location, resolved: new URL(done.url) };
      }

      it.each(PAYLOADS)('return-to-payload %j lands on the gateway', async (raw) => {
        const { location, resolved } = await landing(raw);
        expect(location.startsWith('/')).toBe(true);
        expect(location.startsWith('//')).toBe(false);
        expect(location).not.toMatch(/[\\\s]/);
        expect(resolved.origin).toBe(stack.origin);
        expect(resolved.pathname.startsWith(`${basePath}/`)).toBe(true);
      });

      it('a legitimate deep link survives the sign-in, normalised', async () => {
        expect((await landing(`${basePath}/#/experiments/1?tab=runs`)).location).toBe(`${basePath}/#/experiments/1?tab=runs`);
        expect((await landing(`${basePath}/a/./b/../c?x=1`)).location).toBe(`${basePath}/a/c?x=1`);
      });
    });
  }
});
