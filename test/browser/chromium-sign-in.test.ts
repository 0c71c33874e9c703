import { existsSync, mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium, signInInChromium } from '../support/chromium.js';
import { startStack, type Stack } from '../support/stack.js';

// Real Chromium (Debian's package; no downloaded browser) signs in and loads the MLflow UI.

describe.runIf(existsSync(CHROMIUM))('sign-in in real Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ basePath: '/mlflow' });
    browser = await launchChromium();
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
    await signInInChromium(page, stack, 'alice');
    await page.getByText('Experiments', { exact: false }).first().waitFor({ timeout: 60_000 });
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.screenshot({ path: 'test-artifacts/chromium-mlflow-ui.png' });
    expect(page.url()).toContain(`${stack.gatewayUrl}/`);
    expect(errors).toEqual([]);
  });
});
