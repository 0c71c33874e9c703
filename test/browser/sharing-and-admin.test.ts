import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/devtools/idp/index.js';
import { CHROMIUM, launchChromium, prepareUiTest, signInInChromium } from '../support/chromium.js';
import { callerFor, unique } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Sharing and administration in the gateway UI (issue 17), in Debian's Chromium: alice shares her
// experiment with dave by email before dave ever signed in, then dave signs in and reads it;
// alice lowers her own access, confirms, sees the result and undoes it; an unknown group name is
// warned about before granting; the administrator creates a group and grants it an experiment
// from the group page with the resource picker. Screenshots at 1280 and 375 px go to
// test-artifacts/share-*.png, and no page may overflow sideways at 375 px.
describe.runIf(existsSync(CHROMIUM))('sharing and administration in the gateway UI', () => {
  let stack: Stack;
  let browser: Browser;
  let exp: string;
  let expName: string;
  let alice: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    prepareUiTest();
    stack = await startStack({
      idp: { users: [...DEMO_USERS, { username: 'dave', password: 'dave-pass', email: 'dave@example.com', name: 'Dave Example', groups: ['team-d'] }] },
    });
    browser = await launchChromium();
    expName = unique('shared-ahead');
    exp = (await (await callerFor(stack, 'alice')).post('experiments/create', { name: expName })).json.experiment_id;
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const signedIn = async (username: string, path: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${username}: ${e.message}`));
    await signInInChromium(page, stack, username, `${stack.gatewayUrl}/_gateway/ui${path}`, `${stack.gatewayUrl}/_gateway/ui/`);
    return page;
  };
  /** Screenshots at 1280 and at 375 px; answers how far the page overflows sideways at 375 px. */
  const shots = async (page: Page, name: string) => {
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
    await page.screenshot({ path: `test-artifacts/share-${name}.png` });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: `test-artifacts/share-${name}-375.png` });
    const overflow = await page.evaluate<number>(`Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll('.dialog')].map((d) => d.scrollWidth)) - window.innerWidth`);
    await page.setViewportSize({ width: 1280, height: 800 });
    return overflow;
  };
  const dialog = () => alice.getByRole('dialog', { name: `Access to ${expName}` });
  const openDialog = async () => {
    await alice.goto(`${stack.gatewayUrl}/_gateway/ui/experiments`);
    await alice.getByRole('row').filter({ hasText: expName }).getByRole('button', { name: `Access to ${expName}` }).click();
    await dialog().getByRole('table', { name: 'Direct grants' }).waitFor();
  };

  it('alice shares with dave by email before his first sign-in; dave signs in and reads it', async () => {
    alice = await signedIn('alice', '/experiments');
    await openDialog();
    const form = dialog().getByRole('form', { name: 'Share' });
    await form.getByLabel('Share with').selectOption('user');
    await form.getByLabel('Username or email').fill('dave@example.com');
    await form.getByLabel('Level').selectOption('READ');
    await form.getByRole('button', { name: 'Share' }).click();
    await dialog().getByRole('table', { name: 'Direct grants' }).getByText('dave@example.com').waitFor();
    await dialog().getByText('gets it at their first sign-in').waitFor();
    expect(await dialog().locator('.error').count()).toBe(0);
    expect(await shots(alice, 'shared-ahead-of-sign-in')).toBeLessThanOrEqual(0);

    const dave = await signedIn('dave', '/experiments');
    await signedIn('carol', '/').then((p) => p.context().close()); // carol is known (for the user page below)
    await dave.getByRole('table', { name: 'Experiments' }).getByText(expName).waitFor({ timeout: 30_000 });
    expect(await shots(dave, 'dave-reads')).toBeLessThanOrEqual(0);
    const account = await stack.server.gateway.store.users.getByUsername('dave');
    const grants = await stack.server.gateway.store.grants.listForResource('experiment', exp);
    expect(grants).toContainEqual(expect.objectContaining({ principalType: 'user', principal: account!.id, level: 'READ' }));
    await dave.context().close();
  }, 240_000);

  it('an unknown group name is warned about before anything is granted', async () => {
    await openDialog();
    const form = dialog().getByRole('form', { name: 'Share' });
    await form.getByLabel('Share with').selectOption('group');
    await form.getByLabel('Group name').fill('team-aa');
    await form.getByRole('button', { name: 'Share' }).click();
    await form.getByRole('alert').getByText('is not one of your groups').waitFor();
    await form.getByRole('button', { name: 'Share anyway' }).waitFor();
    expect(await shots(alice, 'unknown-group-warning')).toBeLessThanOrEqual(0);
    expect((await stack.server.gateway.store.grants.listForResource('experiment', exp)).some((g) => g.principal === 'team-aa')).toBe(false);
  }, 120_000);

  it('alice lowers her own access: she confirms, sees the result, and undoes it', async () => {
    await openDialog();
    await dialog().getByLabel('Level of alice').selectOption('READ');
    const confirm = dialog().getByRole('alertdialog', { name: 'Lower your own access?' });
    await confirm.waitFor();
    expect(await shots(alice, 'lower-own-confirm')).toBeLessThanOrEqual(0);
    await confirm.getByRole('button', { name: 'Lower my access' }).click();
    // The result: alice no longer manages it, and the dialog says so (refreshed, not stale).
    await dialog().getByText('Only managers of this experiment').waitFor({ timeout: 30_000 });
    await expect.poll(() => dialog().locator('.own-level .badge').textContent()).toBe('Read'); // levels are shown in words (LevelBadge)
    const banner = dialog().locator('.undo-banner');
    expect(await banner.textContent()).toContain('Your grant is now Read (was Manage)');
    expect(await banner.textContent()).not.toMatch(/\b(READ|MANAGE)\b/); // level labels, never the raw enums
    expect(await shots(alice, 'lower-own-result')).toBeLessThanOrEqual(0);
    await banner.getByRole('button', { name: 'Undo' }).click();
    await dialog().getByRole('table', { name: 'Direct grants' }).waitFor({ timeout: 30_000 });
    await dialog().getByText('Undone: the grant is as it was.').waitFor();
    const alices = await stack.server.gateway.store.users.getByUsername('alice');
    const grants = await stack.server.gateway.store.grants.listForResource('experiment', exp);
    expect(grants).toContainEqual(expect.objectContaining({ principalType: 'user', principal: alices!.id, level: 'MANAGE' }));
    expect(await shots(alice, 'lower-own-undone')).toBeLessThanOrEqual(0);
  }, 120_000);

  it('the administrator creates a group and grants it the experiment from the group page, picking it by name', async () => {
    const admin = await signedIn('admin', '/groups');
    await admin.getByRole('heading', { level: 1, name: 'Groups' }).waitFor();
    const create = admin.getByRole('form', { name: 'Create group' });
    await create.getByLabel('Group name').fill('team-vision');
    await create.getByLabel('Description (optional)').fill('Computer vision');
    await create.getByRole('button', { name: 'Create group' }).click();
    await admin.getByText('Group team-vision created').waitFor();
    const form = admin.getByRole('form', { name: 'Grant team-vision access' });
    await form.getByLabel('Search by name').fill(expName.slice(0, 14));
    await form.getByRole('option', { name: new RegExp(expName) }).click();
    await form.getByLabel('Level').selectOption('EDIT');
    await form.getByRole('button', { name: `Grant on ${expName}` }).click();
    const table = admin.getByRole('table', { name: 'Grants of team-vision' });
    await table.getByText(expName).waitFor({ timeout: 30_000 }); // the name, not "experiment <id>"
    await admin.locator('.undo-banner').getByText(`team-vision now has the level Edit on experiment ${expName}`).waitFor();
    expect(await shots(admin, 'group-page-grant')).toBeLessThanOrEqual(0);
    const grants = await stack.server.gateway.store.grants.listForResource('experiment', exp);
    expect(grants).toContainEqual(expect.objectContaining({ principalType: 'group', principal: 'team-vision', level: 'EDIT' }));
    // Revoke from the same page.
    await table.getByRole('button', { name: `Revoke ${expName}` }).click();
    await admin.getByRole('table', { name: 'Grants of team-vision' }).waitFor({ state: 'detached' });
    expect((await stack.server.gateway.store.grants.listForResource('experiment', exp)).some((g) => g.principal === 'team-vision')).toBe(false);

    // And from a user's page (service accounts open the same page).
    await admin.goto(`${stack.gatewayUrl}/_gateway/ui/users/carol`);
    const userForm = admin.getByRole('form', { name: 'Grant carol access' });
    await userForm.getByLabel('Search by name').fill(expName);
    await userForm.getByRole('option', { name: new RegExp(expName) }).click();
    await userForm.getByRole('button', { name: `Grant on ${expName}` }).click();
    await admin.getByRole('table', { name: 'Grants of carol' }).getByText(expName).waitFor({ timeout: 30_000 });
    expect(await shots(admin, 'user-page-grant')).toBeLessThanOrEqual(0);
    const carol = await stack.server.gateway.store.users.getByUsername('carol');
    expect(await stack.server.gateway.store.grants.listForResource('experiment', exp)).toContainEqual(expect.objectContaining({ principal: carol!.id, level: 'READ' }));
    expect(errors).toEqual([]);
  }, 180_000);
});
