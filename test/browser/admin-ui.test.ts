import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique } from '../support/mlflow-api.js';
import { runPython } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';
import { CHROMIUM, launchChromium, prepareUiTest, signInInChromium, watchedPage } from '../support/chromium.js';

// The admin UI in real Chromium (Debian's package): an administrator shares an experiment with a
// group, a member sees it in MLflow's UI, creates a token in the UI and uses it with the stock
// MLflow Python client, the administrator revokes it in the UI and the client is refused; the
// audit page shows all of it. Every page is screenshotted to test-artifacts/ui-*.png.
const LOG_RUN = `
import os, mlflow
mlflow.set_tracking_uri(os.environ["GW_URL"])
exp = mlflow.get_experiment_by_name(os.environ["EXP_NAME"])
with mlflow.start_run(experiment_id=exp.experiment_id) as run:
    mlflow.log_metric("accuracy", 0.93)
print("RUN_ID=" + run.info.run_id)
`;

describe.runIf(existsSync(CHROMIUM))('admin UI in real Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let admin: Page;
  let alice: Page;
  let experimentName: string;
  let token: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    prepareUiTest();
    stack = await startStack({ basePath: '/mlflow' });
    browser = await launchChromium();
    // The administrator's experiment, which alice (group team-a) cannot see yet.
    const owner = await callerFor(stack, 'admin');
    experimentName = unique('ui-shared');
    expect((await owner.post('experiments/create', { name: experimentName })).status).toBe(200);
    await owner.post('experiments/create', { name: unique('ui-private') });
    admin = await signedIn('admin');
    alice = await signedIn('alice');
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function signedIn(username: string): Promise<Page> {
    const page = await watchedPage(browser, username, consoleErrors);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.origin });
    await signInInChromium(page, stack, username, `${stack.gatewayUrl}/_gateway/ui/`, `${stack.gatewayUrl}/_gateway/ui/`);
    await page.getByRole('heading', { name: 'Profile & tokens' }).waitFor();
    return page;
  }

  const shot = async (page: Page, name: string) => {
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.screenshot({ path: `test-artifacts/ui-${name}.png` });
  };
  const open = async (page: Page, label: string, heading = label) => {
    await page.getByRole('navigation', { name: 'Gateway' }).getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const aliceSees = async () => {
    const search = await (await callerFor(stack, 'alice')).post('experiments/search', { max_results: 1000 });
    return (search.json.experiments ?? []).some((e: { name: string }) => e.name === experimentName);
  };

  it('admin shares the experiment with group team-a in the UI', async () => {
    expect(await aliceSees()).toBe(false);
    await shot(admin, 'profile');
    await open(admin, 'Experiments');
    const row = admin.getByRole('row').filter({ hasText: experimentName });
    await row.getByRole('button', { name: `Access to ${experimentName}` }).click();
    const dialog = admin.getByRole('dialog', { name: `Access to ${experimentName}` });
    await dialog.getByRole('heading', { name: 'Who can read it, and why' }).waitFor();
    const form = dialog.getByRole('form', { name: 'Share' });
    await form.getByLabel('Share with').selectOption('group');
    await form.getByLabel('Group name').fill('team-a');
    await form.getByLabel('Level').selectOption('EDIT');
    await form.getByRole('button', { name: 'Share' }).click();
    await dialog.getByRole('table', { name: 'Direct grants' }).getByText('team-a').waitFor();
    await dialog.getByRole('table', { name: 'Groups with access' }).getByText('group grant').first().waitFor();
    await shot(admin, 'share-dialog');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await shot(admin, 'experiments');
    expect(await aliceSees()).toBe(true);
  });

  it('alice sees the experiment in MLflow\'s UI, with the gateway bar', async () => {
    await alice.goto(`${stack.gatewayUrl}/`);
    await alice.getByText(experimentName).first().waitFor({ timeout: 60_000 });
    const bar = alice.locator('nav.mog-banner');
    await expect(bar.textContent()).resolves.toContain('alice');
    await shot(alice, 'mlflow-with-bar');
    await bar.locator('summary').click(); // the bar is a small pill; its menu opens on click
    await bar.getByRole('link', { name: 'Access & tokens' }).click();
    await alice.getByRole('heading', { name: 'Profile & tokens' }).waitFor();
  });

  it('alice creates a token in the UI (shown once) and logs a run with the MLflow Python client', async () => {
    const form = alice.getByRole('form', { name: 'Create a token' });
    await form.getByLabel('Token name').fill('python-client');
    await form.getByLabel('Expires in').selectOption('30');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = alice.getByLabel('New token');
    await secret.waitFor();
    token = await secret.inputValue();
    expect(token).toMatch(/^mog_/);
    await alice.getByRole('button', { name: 'Copy', exact: true }).click();
    await alice.getByRole('button', { name: 'Copied' }).waitFor();
    await shot(alice, 'token-created');
    await alice.getByRole('button', { name: 'Done' }).click();
    await expect(secret.count()).resolves.toBe(0); // gone for good
    await alice.reload();
    await alice.getByRole('table', { name: 'Your tokens' }).getByText('python-client').waitFor();
    expect(await alice.content()).not.toContain(token);

    const r = await runPython(LOG_RUN, { GW_URL: stack.gatewayUrl, EXP_NAME: experimentName, MLFLOW_TRACKING_TOKEN: token });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/RUN_ID=\w+/);
  });

  it('an action after the session ended says "Your session has ended — sign in again" and keeps the form (not silently dropped)', async () => {
    const carol = await signedIn('carol');
    const user = (await stack.server.gateway.store.users.getByUsername('carol'))!;
    await stack.server.gateway.store.sessions.deleteForUser(user.id); // expired or ended elsewhere while the page is open
    const form = carol.getByRole('form', { name: 'Create a token' });
    await form.getByLabel('Token name').fill('after-expiry');
    await form.getByRole('button', { name: 'Create token' }).click();
    const alert = carol.getByRole('alert').filter({ hasText: 'Your session has ended' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('Your session has ended — sign in again. Nothing was changed.');
    await expect(alert.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).resolves.toBe(`/mlflow/_gateway/login?return_to=${encodeURIComponent('/mlflow/_gateway/ui/')}`);
    expect(carol.url()).toMatch(/\/_gateway\/ui\/$/); // still on the page, with what was typed
    await expect(form.getByLabel('Token name').inputValue()).resolves.toBe('after-expiry');
    expect(await stack.server.gateway.store.tokens.list({ userId: user.id })).toEqual([]);
    await shot(carol, 'session-ended');
    // The browser's own "Failed to load resource: 401" line for this refused call is expected.
    for (let i = consoleErrors.length - 1; i >= 0; i--) if (/^carol: .*401/.test(consoleErrors[i]!)) consoleErrors.splice(i, 1);
    await carol.context().close();
  });

  it('the admin revokes the token in the UI and the client is refused', async () => {
    await open(admin, 'Users');
    await shot(admin, 'users');
    await admin.getByRole('link', { name: 'alice', exact: true }).click();
    await admin.getByRole('heading', { level: 1, name: 'alice' }).waitFor();
    const revoke = admin.getByRole('button', { name: 'Revoke token python-client' });
    await revoke.click();
    await shot(admin, 'user-detail');
    await admin.getByRole('button', { name: 'Confirm: Revoke token python-client' }).click();
    await admin.getByText('No active tokens').waitFor();
    const r = await runPython(LOG_RUN, { GW_URL: stack.gatewayUrl, EXP_NAME: experimentName, MLFLOW_TRACKING_TOKEN: token });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/401|GW_INVALID_TOKEN|revoked/);
  });

  it('the audit page shows the grant, the token\'s life and the refused call', async () => {
    await open(admin, 'Audit log');
    const table = admin.getByRole('table', { name: 'Audit events' });
    await table.waitFor();
    for (const action of ['grant.set', 'token.create', 'request.write', 'token.revoke', 'request.denied']) {
      await table.getByRole('cell', { name: action, exact: true }).first().waitFor();
    }
    await shot(admin, 'audit');
    // Filters: only alice's denied… and the export link carries them.
    await admin.getByLabel('Actor').fill('alice');
    await admin.getByLabel('Action').fill('token.*');
    await admin.getByRole('button', { name: 'Apply' }).click();
    await table.getByRole('cell', { name: 'token.create', exact: true }).waitFor();
    await expect(table.getByRole('cell', { name: 'request.write', exact: true }).count()).resolves.toBe(0);
    const href = await admin.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toContain('actor=alice');
  });

  it('the remaining pages render for the admin: groups, patterns, explain, service accounts, models', async () => {
    await open(admin, 'Groups');
    await admin.getByRole('button', { name: 'team-a' }).click();
    await shot(admin, 'groups');
    await open(admin, 'Pattern rules');
    const add = admin.getByRole('form', { name: 'Add a pattern rule' });
    await add.getByLabel('Group', { exact: true }).fill('team-b');
    await add.getByLabel('Pattern', { exact: true }).fill('team-b-*');
    await add.getByRole('button', { name: 'Add rule' }).click();
    await admin.getByRole('table', { name: 'Pattern rules' }).getByText('team-b-*').waitFor();
    await shot(admin, 'patterns');
    await open(admin, 'Explain access');
    const ex = admin.getByRole('form', { name: 'Explain access' });
    await ex.getByLabel('User').fill('alice');
    await ex.getByLabel('Action').selectOption('update');
    const id = (await (await callerFor(stack, 'admin')).get('experiments/get-by-name', { experiment_name: experimentName })).json.experiment.experiment_id as string;
    await ex.getByLabel('Resource id').fill(id);
    await ex.getByRole('button', { name: 'Explain' }).click();
    await admin.getByText('allowed').first().waitFor();
    await shot(admin, 'explain');
    await open(admin, 'Service accounts');
    const create = admin.getByRole('form', { name: 'Create a service account' });
    await create.getByLabel('Name').fill('nightly-train');
    await create.getByLabel('Groups').fill('team-a');
    await create.getByRole('button', { name: 'Create' }).click();
    const account = admin.getByRole('table', { name: 'Service accounts' }).getByRole('row').filter({ hasText: 'nightly-train' });
    await account.getByRole('link', { name: 'nightly-train', exact: true }).click();
    await admin.getByRole('heading', { level: 1, name: 'nightly-train' }).waitFor();
    const mint = admin.getByRole('form', { name: 'New service-account token' });
    await mint.getByLabel('Token name').fill('nightly');
    await mint.getByRole('button', { name: 'Create token' }).click();
    await expect(admin.getByLabel('New service-account token secret').inputValue()).resolves.toMatch(/^mog_/);
    await shot(admin, 'service-accounts');
    await open(admin, 'Models');
    await admin.getByText(/No models you can read|Filter models/).first().waitFor();
    await shot(admin, 'models');
  });

  it('a non-admin sees scoped views only', async () => {
    const nav = alice.getByRole('navigation', { name: 'Gateway' });
    await expect(nav.getByRole('link', { name: 'Users' }).count()).resolves.toBe(0);
    await open(alice, 'Experiments');
    await alice.getByRole('row').filter({ hasText: experimentName }).getByRole('button', { name: `Access to ${experimentName}` }).click();
    await alice.getByText(/Only managers of this experiment/).waitFor();
    await alice.getByText('Your access:').waitFor();
    await shot(alice, 'share-not-manager');
    await alice.keyboard.press('Escape');
    await open(alice, 'Audit log');
    await alice.getByRole('table', { name: 'Audit events' }).waitFor();
    const actors = await alice.getByRole('table', { name: 'Audit events' }).locator('tbody tr td:nth-child(2)').allTextContents();
    expect(new Set(actors)).toEqual(new Set(['alice']));
    await shot(alice, 'audit-own');
    await alice.goto(`${stack.gatewayUrl}/_gateway/ui/users`);
    await alice.getByRole('heading', { name: 'For administrators' }).waitFor();
  });

  it('logged no console errors on the gateway\'s pages', () => {
    expect(consoleErrors).toEqual([]);
  });
});
