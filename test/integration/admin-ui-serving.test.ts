import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpBrowser } from '../support/http-browser.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// The admin UI as files (ui/dist under <mount>/_gateway/ui/, SPA fallback, sign-in required for
// the page) and the gateway bar injected into MLflow's UI shell — only there.
describe('admin UI serving and the MLflow bar', () => {
  let stack: Stack;
  let alice: HttpBrowser;
  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/ensure-ui.mjs'], { stdio: 'inherit' });
    stack = await startStack({ basePath: '/mlflow' });
    alice = (await signIn(stack, 'alice')).browser;
  });
  afterAll(async () => stack?.stop());
  const ui = (path = '') => `${stack.gatewayUrl}/_gateway/ui/${path}`;

  it('sends an anonymous browser to sign in and back', async () => {
    const res = await fetch(ui('users'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/mlflow/_gateway/login?return_to=${encodeURIComponent('/mlflow/_gateway/ui/users')}`);
    expect((await fetch(`${stack.gatewayUrl}/_gateway/ui`, { redirect: 'manual' })).headers.get('location')).toBe('/mlflow/_gateway/ui/');
  });

  it('serves the page for every app path with the mount as <base href>, a strict CSP and no caching', async () => {
    for (const path of ['', 'users', 'users/alice', 'audit']) {
      const res = await alice.get(ui(path));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('<base href="/mlflow/_gateway/ui/"><meta name="gateway-base" content="/mlflow">');
    }
  });

  it('serves hashed assets for good, without a session, and nothing outside ui/dist', async () => {
    const html = await (await alice.get(ui())).text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
    const res = await fetch(ui(script));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(ui('favicon.svg'))).headers.get('content-type')).toBe('image/svg+xml');
    expect((await fetch(ui('assets/missing.js'))).status).toBe(404);
    for (const evil of ['assets/..%2f..%2fpackage.json', 'assets/%2e%2e/index.html', '..%2f..%2fpackage.json']) {
      const r = await alice.get(ui(evil));
      expect(r.status === 404 || (r.status === 200 && (await r.text()).includes('gateway-base')), evil).toBe(true);
    }
  });

  it('adds the bar to MLflow\'s UI shell: user, admin UI link, sign-out; correct length; never cached', async () => {
    const res = await alice.get(`${stack.gatewayUrl}/`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const html = body.toString('utf8');
    expect(html).toContain('<nav class="mog-banner"');
    expect(html).toContain('>alice</span>');
    expect(html).toContain('href="/mlflow/_gateway/ui/"');
    expect(html).toContain('action="/mlflow/_gateway/logout"');
    expect(html.indexOf('mog-banner')).toBeLessThan(html.indexOf('</body>'));
    expect(html).toContain('<div id="root"'); // MLflow's shell is intact
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const css = await fetch(`${stack.gatewayUrl}/_gateway/banner.css`);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect(await css.text()).toContain('.mog-banner');
  });

  it('leaves every other MLflow answer untouched (streamed, MLflow\'s own headers)', async () => {
    const direct = await fetch(`${stack.config.upstreamUrl}/static-files/favicon.ico`);
    const proxied = await alice.get(`${stack.gatewayUrl}/static-files/favicon.ico`);
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('etag')).toBe(direct.headers.get('etag'));
    expect(Buffer.from(await proxied.arrayBuffer()).equals(Buffer.from(await direct.arrayBuffer()))).toBe(true);
    const api = await alice.get(`${stack.gatewayUrl}/ajax-api/2.0/mlflow/experiments/search?max_results=1`);
    expect(await api.text()).not.toContain('mog-banner');
  });
});
