// Debian's Chromium for browser tests (never a downloaded browser), headless, and the steps every
// browser test repeats: launching it and signing in at the in-process test IdP's login form.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../../src/devtools/mlflow.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** For tests of the gateway's own UI: a current ui/dist (built when older than its sources) and test-artifacts/ for screenshots. */
export function prepareUiTest(): void {
  execFileSync(process.execPath, ['scripts/ensure-ui.mjs'], { stdio: 'inherit' });
  mkdirSync('test-artifacts', { recursive: true });
}

/**
 * A page in a fresh 1280×800 context whose script errors, and console errors on the gateway's UI
 * pages that `keepConsole` keeps (default: all), are pushed to `errors` as "<label>: <message>".
 */
export async function watchedPage(browser: Browser, label: string, errors: string[], keepConsole: (text: string) => boolean = () => true): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && page.url().includes('/_gateway/ui') && keepConsole(m.text())) errors.push(`${label}: ${m.text()}`);
  });
  return page;
}

/**
 * A screenshot of the whole page that reads like the page: taken from the top, because a full-page
 * shot of a scrolled page draws the sticky top bar (and the sticky sidebar) where the scroll left
 * them, in the middle of the picture; the scroll position is put back after. With a dialog open,
 * the viewport only: the dialog's fixed backdrop covers the viewport, not the page below it.
 */
export async function screenshotWholePage(page: Page, path: string): Promise<void> {
  if (await page.locator('[role=dialog]').count() > 0) return void (await page.screenshot({ path }));
  const scrolled = await page.evaluate<number>('window.scrollY');
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage: true });
  await page.evaluate(`window.scrollTo(0, ${scrolled})`);
}

/** Waits for the test IdP's login form at `issuer` and submits `username` with the demo password `<username>-pass`. */
export async function submitIdpLogin(page: Page, issuer: string, username: string): Promise<void> {
  await page.waitForURL((u) => u.href.startsWith(issuer), { timeout: 30_000 });
  await page.fill('#username', username);
  await page.fill('#password', `${username}-pass`);
  await page.click('button[type=submit]');
}

/**
 * Opens `url` (a gateway page that sends a signed-out browser to the IdP), signs `username` in and
 * waits until the browser is back at a URL starting with `backAt` (default: the gateway's root).
 */
export async function signInInChromium(page: Page, stack: { gatewayUrl: string; idp: { issuer: string } }, username: string, url = `${stack.gatewayUrl}/`, backAt = `${stack.gatewayUrl}/`): Promise<void> {
  await page.goto(url);
  await submitIdpLogin(page, stack.idp.issuer, username);
  await page.waitForURL((u) => u.href.startsWith(backAt), { timeout: 30_000 });
}

/** An attacker's site on the same host name (127.0.0.1) as the gateway, another port: same site, other origin. */
export async function startSiteOnAnotherPort(handler: RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
