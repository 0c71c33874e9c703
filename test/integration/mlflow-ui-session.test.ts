import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { callerFor, unique, userId } from '../support/mlflow-api.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// How the gateway behaves towards MLflow's UI (a single-page app): requests that are not page
// navigations get 401 JSON instead of a sign-in redirect; a browser opening the UI shell signed
// out keeps the URL fragment through sign-in; sign-ins started in parallel do not clobber each
// other; the UI's per-page calls (users/current, the disabled assistant, favicon) are answered
// quietly and stay out of the audit's denials; a refusal says which resource and level it needs.
describe('MLflow UI and the session', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ basePath: '/mlflow' });
  });
  afterAll(async () => stack?.stop());
  const url = (p: string) => `${stack.gatewayUrl}${p}`;

  it('answers a signed-out script request (chunk, XHR) with 401 JSON, not a sign-in redirect', async () => {
    const variants: Record<string, string>[] = [
      { 'sec-fetch-dest': 'script', 'sec-fetch-mode': 'no-cors', accept: '*/*' },
      { 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors', accept: 'application/json' },
      { 'sec-fetch-mode': 'cors', accept: '*/*' },
    ];
    for (const headers of variants) {
      const res = await fetch(url('/static-files/static/js/main.js'), { redirect: 'manual', headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(await res.json()).toMatchObject({ gateway_code: 'GW_UNAUTHENTICATED' });
    }
    // With a session cookie that no longer resolves: the session ended.
    const ended = await fetch(url('/static-files/static/js/main.js'), { redirect: 'manual', headers: { 'sec-fetch-dest': 'script', cookie: `${stack.config.cookieName}=${'A'.repeat(22)}.${'B'.repeat(43)}` } });
    expect(ended.status).toBe(401);
    expect(await ended.json()).toMatchObject({ gateway_code: 'GW_SESSION_EXPIRED' });
  });

  it('sends a page navigation to sign in; the UI shell gets a page that carries the fragment into return_to', async () => {
    const plain = await fetch(url('/static-files/favicon.ico'), { redirect: 'manual', headers: { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', accept: 'text/html' } });
    expect(plain.status).toBe(302);
    expect(plain.headers.get('location')).toBe(`/mlflow/_gateway/login?return_to=${encodeURIComponent('/mlflow/static-files/favicon.ico')}`);
    const shell = await fetch(url('/'), { redirect: 'manual', headers: { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', accept: 'text/html' } });
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await shell.text();
    expect(html).toContain('<script src="/mlflow/_gateway/resume.js" data-login="/mlflow/_gateway/login"></script>');
    expect(html).toContain('content="0;url=/mlflow/_gateway/login?return_to=%2Fmlflow%2F"'); // without script
    const js = await fetch(url('/_gateway/resume.js'));
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('location.hash');
  });

  it('keeps the fragment of return_to through sign-in', async () => {
    const browser = new HttpBrowser();
    const deep = '/mlflow/#/experiments/1/runs/abc';
    const { result } = await signIn(stack, 'alice', `/_gateway/login?return_to=${encodeURIComponent(deep)}`, browser);
    expect(result.url).toBe(`${stack.origin}${deep}`);
  });

  it('completes sign-ins started in parallel in one browser, in any order (no state mismatch)', async () => {
    const browser = new HttpBrowser();
    const starts = [];
    for (let i = 0; i < 3; i++) starts.push(await browser.follow(url(`/_gateway/login?return_to=${encodeURIComponent(`/mlflow/#/p${i}`)}`)));
    const before = (await stack.server.gateway.store.audit.list({ limit: 100, action: 'login.failed' })).length;
    for (const i of [2, 0, 1]) {
      const page = starts[i]!;
      const done = await browser.submitForm(page.url, await page.response.text(), { username: 'carol', password: 'carol-pass' });
      expect(done.url, `attempt ${i}`).toBe(`${stack.origin}/mlflow/#/p${i}`);
    }
    expect((await stack.server.gateway.store.audit.list({ limit: 100, action: 'login.failed' })).length).toBe(before);
    expect(browser.cookies(stack.origin).filter((c) => c.name.endsWith('_login'))).toEqual([]);
  });

  it('answers MLflow UI\'s per-page calls quietly for non-admins, and keeps them out of the denials', async () => {
    const { browser } = await signIn(stack, 'bob');
    const me = await browser.get(url('/ajax-api/2.0/mlflow/users/current'), { accept: 'application/json' });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ user: { id: await userId(stack, 'bob'), username: 'bob', is_admin: false }, is_basic_auth: false });
    const config = await browser.get(url('/ajax-api/3.0/mlflow/assistant/config'), { accept: 'application/json' });
    expect(await config.json()).toEqual({ providers: {}, projects: {}, remote_access_allowed: false });
    const providers = await browser.get(url('/ajax-api/3.0/mlflow/assistant/providers'), { accept: 'application/json' });
    expect(await providers.json()).toEqual({ providers: [], resolved: null, gateway_vendor_options: {} });
    const icon = await fetch(url('/favicon.ico'), { redirect: 'manual' });
    expect(icon.status).toBe(302);
    expect(icon.headers.get('location')).toBe('/mlflow/static-files/favicon.ico');
    // The assistant itself stays refused.
    expect((await browser.postForm(url('/ajax-api/3.0/mlflow/assistant/message'), {}, { accept: 'application/json' })).status).toBe(403);
    await new Promise((r) => setTimeout(r, 300)); // audit writes are batched
    const denied = await stack.server.gateway.store.audit.list({ limit: 200, actor: 'bob', decision: 'deny' });
    expect(denied.map((e) => e.resource ?? e.reason).join('\n')).not.toMatch(/users\/current|assistant\/config|assistant\/providers|favicon/);
  });

  it('says which resource and level a refusal needs (for "ask for access"), in a field MLflow clients ignore', async () => {
    const admin = await callerFor(stack, 'admin');
    const created = await admin.post('experiments/create', { name: unique('ui-denied') });
    const bob = await callerFor(stack, 'bob');
    const refused = await bob.get('experiments/get', { experiment_id: created.json.experiment_id });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error_code: 'PERMISSION_DENIED', gateway_code: 'GW_DENIED', denied: { resource_type: 'experiment', resource_id: created.json.experiment_id, needed: 'READ' } });
  });

  it('serves the bar with its script in the UI shell', async () => {
    const { browser } = await signIn(stack, 'alice');
    const shell = await (await browser.get(url('/'))).text();
    expect(shell).toMatch(/<head[^>]*><script src="\/mlflow\/_gateway\/banner.js" data-base="\/mlflow" data-assistant="off"><\/script>/);
    expect(shell).toMatch(/<nav class="mog-banner"[\s\S]*<\/body>/);
    const js = await fetch(url('/_gateway/banner.js'));
    expect(await js.text()).toContain('GW_SESSION_EXPIRED');
  });

  it('shows a not-found page (not a lecture on routes) when a person opens an unknown address, still refusing it', async () => {
    const { browser } = await signIn(stack, 'bob');
    const page = await browser.get(url('/no/such/page'), { accept: 'text/html' });
    expect(page.status).toBe(404);
    const html = await page.text();
    expect(html).toContain('Page not found');
    expect(html).not.toMatch(/administrators|route/i);
    const api = await browser.get(url('/ajax-api/2.0/mlflow/no-such-call'), { accept: 'application/json' });
    expect(api.status).toBe(403);
    expect(await api.json()).toMatchObject({ gateway_code: 'GW_UNKNOWN_ROUTE' });
  });

  it('styles the signed-out page like the others, and "Sign in again" returns to MLflow', async () => {
    const html = await (await fetch(url('/_gateway/signed-out'))).text();
    expect(html).toContain('<h1>You are signed out</h1>');
    expect(html).toContain(`href="/mlflow/_gateway/login?return_to=${encodeURIComponent('/mlflow/')}"`);
    expect(html).toContain('class="button"');
  });

  it('says what a Basic password must be when it is not a token (the SSO password), and where tokens come from', async () => {
    const basic = await fetch(url('/api/2.0/mlflow/experiments/search'), { headers: { authorization: `Basic ${Buffer.from('alice:alice-pass').toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { message: string }).message).toMatch(/must be a personal access token of this gateway \(mog_…\), not your sign-in password; create one at .*\/_gateway\/ui\//);
    const anonymous = await fetch(url('/api/2.0/mlflow/experiments/search'));
    expect(((await anonymous.json()) as { message: string }).message).toMatch(/personal access tokens: .*\/_gateway\/ui\//);
  });
});
