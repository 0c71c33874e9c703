import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// Real Chromium (Debian's package; no downloaded browser) signs in and loads the MLflow UI.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

describe.runIf(existsSync(CHROMIUM))('sign-in in real Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ basePath: '/mlflow' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in through the IdP and loads the MLflow UI under a sub-path', async () => {
    mkdirSync('test-artifacts', { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${stack.gatewayUrl}/`);
    await page.waitForURL((u) => u.href.startsWith(stack.idp.issuer));
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice-pass');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.href.startsWith(`${stack.gatewayUrl}/`), { timeout: 30_000 });
    await page.getByText('Experiments', { exact: false }).first().waitFor({ timeout: 60_000 });
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.screenshot({ path: 'test-artifacts/chromium-mlflow-ui.png' });
    expect(page.url()).toContain(`${stack.gatewayUrl}/`);
    expect(errors).toEqual([]);
  });
});
