import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium, signInInChromium, startSiteOnAnotherPort } from '../support/chromium.js';
import { HttpBrowser } from '../support/http-browser.js';
import { callerFor, unique } from '../support/mlflow-api.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Cookie tossing: a page on another origin of the same host name (another port, a sibling
// subdomain) sets a session cookie of the gateway's name for a longer path (Path=/ajax-api).
// Browsers send the longer-path cookie first, so a gateway taking the first one ran the victim's
// MLflow UI as the attacker. A request carrying more than one session cookie is refused (401) and
// every copy is cleared; neither session is used.
describe('cookie tossing', () => {
  let stack: Stack;
  let attackerSession: string;
  let victimSession: string;
  let attackerExperiment: string;

  beforeAll(async () => {
    stack = await startStack();
    attackerExperiment = unique('attackers-own');
    expect((await (await callerFor(stack, 'bob')).post('experiments/create', { name: attackerExperiment })).status).toBe(200);
    const [bob, alice] = await Promise.all([signIn(stack, 'bob'), signIn(stack, 'alice')]);
    attackerSession = bob.browser.cookie(stack.origin, stack.config.cookieName)!;
    victimSession = alice.browser.cookie(stack.origin, stack.config.cookieName)!;
    expect(attackerSession && victimSession).toBeTruthy();
  });
  afterAll(async () => stack?.stop());

  const name = () => stack.config.cookieName;
  /** The Cookie header a browser sends after the toss: the longer-path (planted) cookie first. */
  const tossed = () => `${name()}=${attackerSession}; other=1; ${name()}=${victimSession}`;

  it.each([
    ['POST', '/ajax-api/2.0/mlflow/experiments/search', '{"max_results":1000}'],
    ['GET', '/ajax-api/2.0/mlflow/experiments/search?max_results=1000', undefined],
    ['GET', '/api/2.0/mlflow/experiments/search?max_results=1000', undefined],
    ['POST', '/graphql', '{"query":"query { test(inputString: \\"x\\") { output } }"}'],
    ['GET', '/_gateway/api/v1/whoami', undefined],
    ['GET', '/_gateway/api/v1/tokens', undefined],
    ['GET', '/_gateway/ui/', undefined],
    ['GET', '/', undefined],
  ])('two-session-cookies: %s %s is refused with 401 and both copies cleared', async (method, path, body) => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method, headers: { cookie: tossed(), origin: stack.origin, accept: path === '/' ? 'text/html' : 'application/json', 'content-type': 'application/json' }, ...(body ? { body } : {}),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(401);
    expect(text).toContain('GW_SESSION_COOKIE_CONFLICT');
    expect(text).not.toContain(attackerExperiment);
    const cleared = res.headers.getSetCookie().filter((c) => c.startsWith(`${name()}=;`) && /Max-Age=0/.test(c));
    const pathsCleared = cleared.map((c) => /Path=([^;]+)/.exec(c)?.[1]);
    expect(pathsCleared).toEqual(expect.arrayContaining(['/', '/ajax-api', '/api', '/_gateway']));
    const ancestors = path.split('?')[0]!.split('/').filter(Boolean).map((_, i, all) => `/${all.slice(0, i + 1).join('/')}`);
    expect(pathsCleared).toEqual(expect.arrayContaining(ancestors));
  });

  it('one session cookie still works, and an unrelated second cookie does not matter', async () => {
    const res = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { headers: { cookie: `x=1; ${name()}=${victimSession}; y=2` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { username: string }).username).toBe('alice');
  });

  it('planted-sign-in-cookie: a callback carrying two sign-in cookies signs nobody in (login CSRF by tossing)', async () => {
    const browser = new HttpBrowser();
    const page = await browser.follow(`${stack.gatewayUrl}/`);
    const callback = `${stack.gatewayUrl}/_gateway/callback`;
    const res = await browser.submitForm(page.url, await page.response.text(), { username: 'alice', password: 'alice-pass' }, { stopAt: (u) => u.startsWith(callback) });
    expect(res.stopped).toBe(true);
    const login = browser.cookies(stack.origin).find((c) => c.name.endsWith('_login'))!.name; // this attempt's sign-in cookie
    const planted = await browser.get(res.url, { accept: 'application/json', cookie: `${login}=planted-by-attacker; ${browser.cookieHeader(res.url)}` });
    expect(planted.status).toBe(400);
    expect(await planted.json()).toMatchObject({ gateway_code: 'GW_LOGIN_FAILED', message: expect.stringMatching(/more than one sign-in cookie/) });
    expect(planted.headers.getSetCookie().some((c) => c.startsWith(`${name()}=`) && !/Max-Age=0/.test(c))).toBe(false);
  });

  it('the same cookie twice (equal values) is refused too: the gateway never chooses', async () => {
    const res = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { headers: { cookie: `${name()}=${victimSession}; ${name()}=${victimSession}` } });
    expect(res.status).toBe(401);
  });
});

describe.runIf(existsSync(CHROMIUM))('cookie tossing in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let attackerSite: Awaited<ReturnType<typeof startSiteOnAnotherPort>>;
  let attackerExperiment: string;
  let attackerSession: string;

  beforeAll(async () => {
    stack = await startStack();
    attackerExperiment = unique('attackers-own');
    expect((await (await callerFor(stack, 'bob')).post('experiments/create', { name: attackerExperiment })).status).toBe(200);
    attackerSession = (await signIn(stack, 'bob')).browser.cookie(stack.origin, stack.config.cookieName)!;
    // The attacker's page: same host name (127.0.0.1), another port. Cookies do not isolate ports.
    attackerSite = await startSiteOnAnotherPort((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><script>document.cookie = ${JSON.stringify(`${stack.config.cookieName}=${attackerSession}; Path=/ajax-api`)}; document.title = 'tossed';</script>`);
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await attackerSite?.close();
    await stack?.stop();
  });

  it("planted-path-cookie: after visiting the attacker's page, the victim's MLflow calls are refused, never run as the attacker", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInInChromium(page, stack, 'alice');

    const search = () => page.evaluate(async () => {
      const res = await fetch('/ajax-api/2.0/mlflow/experiments/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"max_results":1000}' });
      return { status: res.status, text: await res.text() };
    });
    expect((await search()).status).toBe(200);

    await page.goto(`${attackerSite.url}/`);
    await page.waitForFunction('document.title === "tossed"');
    expect((await context.cookies(`${stack.gatewayUrl}/ajax-api/x`)).filter((c) => c.name === stack.config.cookieName)).toHaveLength(2);

    await page.goto(`${stack.gatewayUrl}/_gateway/signed-out`); // any gateway page, to run fetch from its origin
    const tossed = await search();
    expect(tossed.status).toBe(401);
    expect(tossed.text).toContain('GW_SESSION_COOKIE_CONFLICT');
    expect(tossed.text).not.toContain(attackerExperiment);
    // Both copies are gone from the browser: the next call is simply not signed in.
    expect((await context.cookies(`${stack.gatewayUrl}/ajax-api/x`)).filter((c) => c.name === stack.config.cookieName)).toHaveLength(0);
    expect((await search()).status).toBe(401);
    await context.close();
  });
});
