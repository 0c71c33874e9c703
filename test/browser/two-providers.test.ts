import { existsSync, mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../support/chromium.js';
import { startStack, type Stack } from '../support/stack.js';

// Two identity providers in real Chromium (Debian's package): the sign-in page lists both, the
// person picks the second, signs in at that provider's own IdP and lands in MLflow's UI.
const present = existsSync(CHROMIUM);
if (!present) {
  if (process.env.CI) throw new Error(`Chromium is required under CI but ${CHROMIUM} is missing`);
  console.warn(`two-providers browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

describe.runIf(present)('two providers in real Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ basePath: '/mlflow', env: { OIDC_PROVIDER_DISPLAY_NAME: 'Employees (Entra ID)' }, extraProviders: [{ id: 'partner', displayName: 'Contractors (Partner IdP)' }] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists both providers, signs in with the second and loads the MLflow UI', async () => {
    mkdirSync('test-artifacts', { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${stack.gatewayUrl}/`);
    await page.waitForURL((u) => u.pathname === '/mlflow/_gateway/login');
    await expect.poll(() => page.title()).toBe('Sign in · MLflow gateway');
    const choices = await page.locator('a.provider').allInnerTexts();
    expect(choices).toEqual([expect.stringMatching(/Continue with\s+Employees \(Entra ID\)/), expect.stringMatching(/Continue with\s+Contractors \(Partner IdP\)/)]);
    await page.screenshot({ path: 'test-artifacts/two-providers-sign-in-page.png' });

    await page.getByRole('link', { name: /Contractors \(Partner IdP\)/ }).click();
    await page.waitForURL((u) => u.href.startsWith(stack.idps.partner!.issuer));
    await page.fill('#username', 'carol');
    await page.fill('#password', 'carol-pass');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.href.startsWith(`${stack.gatewayUrl}/`) && !u.pathname.includes('/_gateway/'), { timeout: 30_000 });
    await page.getByText('Experiments', { exact: false }).first().waitFor({ timeout: 60_000 });
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.screenshot({ path: 'test-artifacts/two-providers-mlflow-ui.png' });
    expect(errors).toEqual([]);
    const carol = await stack.server.gateway.store.users.getByUsername('carol');
    expect(carol?.provider).toBe('partner');
    expect(carol?.subjectKey.startsWith(`${stack.idps.partner!.issuer}#`)).toBe(true);
  });
});
