import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique } from '../support/mlflow-api.js';
import { CHROMIUM, launchChromium, prepareUiTest, submitIdpLogin } from '../support/chromium.js';
import { startStack, type Stack } from '../support/stack.js';

// The journeys of issue 17 inside MLflow's own UI, in Debian's Chromium: a deep link survives
// sign-in; a session ended while MLflow is open comes back to the same page after exactly one
// sign-in; bob, refused inside MLflow's UI, asks for access from the bar, alice approves in the
// gateway UI and bob reads; alice shares her experiment with her own team. Screenshots at desktop
// width and at 375 px go to test-artifacts/journey-*.png.
describe.runIf(existsSync(CHROMIUM))('MLflow UI journeys in real Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let exp: string;
  let run: string;
  let expName: string;
  const errors: string[] = [];

  beforeAll(async () => {
    prepareUiTest();
    stack = await startStack({ basePath: '/mlflow' });
    browser = await launchChromium();
    // alice creates the experiment (and so manages it) and a run in it.
    const alice = await callerFor(stack, 'alice');
    expName = unique('journey');
    exp = (await alice.post('experiments/create', { name: expName })).json.experiment_id;
    run = (await alice.post('runs/create', { experiment_id: exp, start_time: Date.now(), run_name: 'first-run' })).json.run.info.run_id;
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const fresh = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    return { context, page };
  };
  const signInAtIdp = (page: Page, username: string) => submitIdpLogin(page, stack.idp.issuer, username);
  const shots = async (page: Page, name: string) => {
    // MLflow polls a running run, so "network idle" may never come: wait a little, not forever.
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
    await page.screenshot({ path: `test-artifacts/journey-${name}.png` });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: `test-artifacts/journey-${name}-375.png` });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    await page.setViewportSize({ width: 1280, height: 800 });
    return overflow;
  };
  const loginFailures = async () => (await stack.server.gateway.store.audit.list({ limit: 500, action: 'login.failed' })).length;

  let alicePage: Page;
  let aliceContext: BrowserContext;

  it('a deep link to a run survives sign-in', async () => {
    ({ page: alicePage, context: aliceContext } = await fresh());
    const deep = `${stack.gatewayUrl}/#/experiments/${exp}/runs/${run}`;
    await alicePage.goto(deep);
    await signInAtIdp(alicePage, 'alice');
    await alicePage.waitForURL(deep, { timeout: 30_000 });
    await alicePage.getByText('first-run').first().waitFor({ timeout: 60_000 });
    expect(alicePage.url()).toBe(deep);
    await shots(alicePage, 'deep-link-run');
  }, 180_000);

  it('a session ended while MLflow is open: the next click starts exactly one sign-in and returns to the same page', async () => {
    const logins: string[] = [];
    alicePage.on('request', (r) => {
      if (new URL(r.url()).pathname.endsWith('/_gateway/login')) logins.push(r.url());
    });
    const failuresBefore = await loginFailures();
    const cookie = (await aliceContext.cookies()).find((c) => c.name === stack.config.cookieName)!;
    const session = await stack.server.gateway.sessions.resolve(cookie.value, stack.server.gateway.log as never);
    await stack.server.gateway.sessions.destroy(session!.sessionId);
    // The next click in MLflow's UI: from the run to its experiment.
    const target = `${stack.gatewayUrl}/#/experiments/${exp}`;
    const callback = alicePage.waitForResponse((r) => r.url().includes('/_gateway/callback'), { timeout: 60_000 });
    await alicePage.evaluate(`window.location.hash = '#/experiments/${exp}'`);
    await expect.poll(() => logins.length, { timeout: 30_000 }).toBeGreaterThan(0);
    // The IdP still knows alice (its own session) and may come back by itself, or ask again.
    const atIdp = alicePage.waitForURL((u) => u.href.startsWith(stack.idp.issuer) && u.pathname.includes('interaction'), { timeout: 60_000 }).then(() => 'idp' as const);
    if ((await Promise.race([atIdp, callback.then(() => 'back' as const)])) === 'idp') await signInAtIdp(alicePage, 'alice');
    await callback;
    await alicePage.waitForURL(target, { timeout: 30_000 });
    await alicePage.getByText(expName).first().waitFor({ timeout: 60_000 });
    await alicePage.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
    expect(logins).toHaveLength(1);
    expect(await loginFailures()).toBe(failuresBefore);
    expect(await alicePage.locator('nav.mog-banner .mog-user').textContent()).toBe('alice');
    await shots(alicePage, 'after-session-ended');
  }, 180_000);

  it('bob is refused inside MLflow\'s UI, the bar says what is missing, he asks; alice approves; bob reads', async () => {
    const { page: bob } = await fresh();
    await bob.goto(`${stack.gatewayUrl}/#/experiments/${exp}`);
    await signInAtIdp(bob, 'bob');
    const notice = bob.locator('nav.mog-banner .mog-notice').filter({ hasText: `experiment ${exp}` });
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toContain(`You need Read on experiment ${exp}`);
    await shots(bob, 'bob-refused-in-mlflow'); // MLflow's own page: its layout at 375 px is MLflow's
    await notice.getByRole('link', { name: 'Ask for access' }).click();
    await bob.getByRole('heading', { level: 1, name: 'Access requests' }).waitFor();
    await expect(bob.getByLabel('Experiment id').inputValue()).resolves.toBe(exp);
    await bob.getByLabel('Message to the managers').fill('I review the first run');
    await bob.getByRole('button', { name: 'Send request' }).click();
    await bob.getByText('The managers see it now').waitFor();
    expect(await shots(bob, 'bob-asked')).toBeLessThanOrEqual(0);

    await alicePage.goto(`${stack.gatewayUrl}/_gateway/ui/access-requests`);
    const request = alicePage.locator('li.request').filter({ hasText: 'bob' });
    await request.getByText('I review the first run').waitFor({ timeout: 30_000 });
    expect(await request.textContent()).toContain(expName);
    expect(await shots(alicePage, 'alice-decides')).toBeLessThanOrEqual(0);
    await request.getByRole('button', { name: 'Approve' }).click();
    await alicePage.getByText('Waiting for your decision').waitFor({ state: 'detached' });

    await bob.reload();
    await bob.getByRole('table').getByText('approved').waitFor();
    await bob.getByRole('link', { name: 'Back to MLflow' }).first().click();
    await bob.waitForURL(`${stack.gatewayUrl}/#/experiments/${exp}`);
    await bob.getByText(expName).first().waitFor({ timeout: 60_000 });
    expect(await bob.locator('nav.mog-banner .mog-notice').filter({ hasText: 'You need' }).count()).toBe(0);
    await shots(bob, 'bob-reads');
  }, 240_000);

  it('alice shares her experiment with her own team (team-a) at EDIT in the gateway UI', async () => {
    await alicePage.goto(`${stack.gatewayUrl}/_gateway/ui/experiments`);
    const row = alicePage.getByRole('row').filter({ hasText: expName });
    await row.getByRole('button', { name: `Access to ${expName}` }).click();
    const dialog = alicePage.getByRole('dialog', { name: `Access to ${expName}` });
    const form = dialog.getByRole('form', { name: 'Share' });
    await form.getByLabel('Share with').selectOption('group');
    await form.getByLabel('Group name').fill('team-a');
    await form.getByLabel('Level').selectOption('EDIT');
    await form.getByRole('button', { name: 'Share' }).click();
    await dialog.getByRole('table', { name: 'Direct grants' }).getByText('team-a').waitFor();
    expect(await dialog.locator('.error').count()).toBe(0);
    expect(await shots(alicePage, 'alice-shares-with-team')).toBeLessThanOrEqual(0);
    const grants = await stack.server.gateway.store.grants.listForResource('experiment', exp);
    expect(grants).toContainEqual(expect.objectContaining({ principalType: 'group', principal: 'team-a', level: 'EDIT' }));
    expect(errors).toEqual([]);
  }, 120_000);
});
