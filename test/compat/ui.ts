// MLflow's own UI, served through the gateway, in real Chromium (Debian's package): sign in as a
// demo user, then the home page, the experiment list, one experiment's page and the models page.
// A page "works" when MLflow's error boundary never shows ("Something went wrong", "We couldn't
// load your experiments") and it shows what the user owns.
import { existsSync, mkdirSync } from 'node:fs';
import type { Stack } from '../support/stack.js';
import { CHROMIUM, launchChromium, signInInChromium } from '../support/chromium.js';

export interface UiReport {
  problems: string[];
}

const ERROR_TEXTS = ['Something went wrong', "couldn't load", 'could not load', 'Failed to load', 'Error loading'];

export const chromiumAvailable = existsSync(CHROMIUM);

export async function checkMlflowUi(
  stack: Stack,
  user: 'alice' | 'admin',
  expected: { experimentName: string; experimentId: string; modelName: string },
  shotName: string,
): Promise<UiReport> {
  const problems: string[] = [];
  mkdirSync('test-artifacts/compat', { recursive: true });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signInInChromium(page, stack, user);

    const visit = async (name: string, hash: string, mustShow: string | undefined, fallbackHash?: string): Promise<void> => {
      await page.goto(`${stack.gatewayUrl}/${hash}`);
      // MLflow 2.x has no #/experiments page (404): its experiment list is the home page's sidebar.
      if (fallbackHash !== undefined && (await page.getByText('Page Not Found').first().waitFor({ timeout: 5_000 }).then(() => true, () => false))) await page.goto(`${stack.gatewayUrl}/${fallbackHash}`);
      // MLflow's UI polls, so "network idle" may never come: a short settle instead.
      await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
      if (mustShow !== undefined) {
        const shown = await page.getByText(mustShow, { exact: false }).first().waitFor({ timeout: 30_000 }).then(() => true, () => false);
        if (!shown) problems.push(`${name} page does not show ${JSON.stringify(mustShow)}`);
      } else {
        await page.waitForTimeout(2000);
      }
      const text = await page.locator('body').innerText().catch(() => '');
      for (const t of ERROR_TEXTS) if (text.includes(t)) problems.push(`${name} page shows ${JSON.stringify(t)}`);
      await page.screenshot({ path: `test-artifacts/compat/${shotName}-${name}.png` });
    };
    await visit('home', '', undefined);
    await visit('experiment-list', '#/experiments', expected.experimentName, '#/');
    await visit('experiment', `#/experiments/${expected.experimentId}`, expected.experimentName);
    await visit('models', '#/models', expected.modelName);
    if (pageErrors.length > 0) problems.push(`page errors: ${pageErrors.slice(0, 3).join(' | ')}`);
  } finally {
    await browser.close();
  }
  return { problems };
}
