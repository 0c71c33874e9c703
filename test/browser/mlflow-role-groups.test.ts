import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { authApi } from '../support/auth-api.js';
import { callerFor, unique } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';
import { CHROMIUM, launchChromium, prepareUiTest, screenshotWholePage, signInInChromium, watchedPage } from '../support/chromium.js';

// An MLflow role's reserved group (mlflow-role:<id>) in the web UI, in Debian's Chromium: the
// groups page shows it as the role it is (role name, "MLflow role", why it is managed through
// MLflow's roles API) with its grants listed and no grant, level or revoke action, which the admin
// API would refuse; the share dialog does not suggest it, lists the role's grant without actions,
// and refuses the name when typed. Screenshots: test-artifacts/role-*.png.
describe.runIf(existsSync(CHROMIUM))('web UI: an MLflow role is shown as a role, never offered for grants', () => {
  let stack: Stack;
  let browser: Browser;
  let admin: Page;
  let adminToken: string;
  let roleId: number;
  let roleName: string;
  let experiment: string;
  const errors: string[] = [];

  beforeAll(async () => {
    prepareUiTest();
    stack = await startStack();
    browser = await launchChromium();
    adminToken = (await stack.idp.getTokens('admin')).access_token;
    const owner = await callerFor(stack, 'admin');
    experiment = unique('role-ui-exp');
    const id = (await owner.post('experiments/create', { name: experiment })).json.experiment_id as string;
    roleName = unique('ui-readers');
    roleId = (await authApi(stack, adminToken, 'POST', 'roles/create', { workspace: 'default', name: roleName })).json.role.id as number;
    expect((await authApi(stack, adminToken, 'POST', 'roles/permissions/add', { role_id: roleId, resource_type: 'experiment', resource_pattern: id, permission: 'READ' })).status).toBe(200);
    await callerFor(stack, 'bob').then((bob) => bob.get('experiments/search', { max_results: '1' })); // bob's account exists
    expect((await authApi(stack, adminToken, 'POST', 'roles/assign', { username: 'bob', role_id: roleId })).status).toBe(200);
    // A refused call shows in the page; the browser logs the failed fetch too: none is expected here.
    admin = await watchedPage(browser, 'admin', errors);
    await signInInChromium(admin, stack, 'admin', `${stack.gatewayUrl}/_gateway/ui/`, `${stack.gatewayUrl}/_gateway/ui/`);
    await admin.getByRole('heading', { name: 'Profile & tokens' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const open = async (page: Page, label: string) => {
    await page.getByRole('navigation', { name: 'Gateway' }).getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
  };

  it("the groups page names the role, says where it is managed, and offers no grant action on it", async () => {
    await open(admin, 'Groups');
    const groups = admin.getByRole('table', { name: 'Groups' });
    const row = groups.getByRole('row').filter({ hasText: `mlflow-role:${roleId}` });
    await row.getByRole('button', { name: roleName }).click();
    await expect(row.getByText('MLflow role', { exact: true }).count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toContain('workspace default');
    await expect(row.getByRole('link', { name: 'bob' }).count()).resolves.toBe(1);
    const expanded = admin.locator('tr.expanded');
    await expanded.getByText("MLflow's auth API", { exact: false }).waitFor();
    const grants = expanded.getByRole('table', { name: `Grants of mlflow-role:${roleId}` });
    await grants.getByText(experiment).waitFor();
    await expect(grants.textContent()).resolves.toContain('Read');
    // Nothing the admin API would refuse: no level menu, no revoke, no grant form.
    await expect(grants.getByRole('combobox').count()).resolves.toBe(0);
    await expect(expanded.getByRole('button', { name: /Revoke/ }).count()).resolves.toBe(0);
    await expect(expanded.getByRole('form', { name: /Grant .* access/ }).count()).resolves.toBe(0);
    await screenshotWholePage(admin, 'test-artifacts/role-groups-page.png');
    // An ordinary group keeps its actions (the role's treatment is not applied to every group).
    const plain = unique('role-ui-plain');
    expect((await adminApi(stack, 'POST', 'groups', { token: adminToken, body: { name: plain } })).status).toBe(201);
    await admin.reload();
    await groups.getByRole('button', { name: plain }).click();
    await admin.getByRole('form', { name: `Grant ${plain} access` }).waitFor();
  });

  it('the share dialog does not suggest the role, lists its grant without actions, and refuses the name', async () => {
    expect((await adminApi(stack, 'GET', 'group-suggestions', { token: adminToken })).json.groups).not.toContain(`mlflow-role:${roleId}`);
    // bob is in the role's group, yet it is not among the groups he is offered to share with.
    const bob = (await stack.idp.getTokens('bob')).access_token;
    const own = (await adminApi(stack, 'GET', 'group-suggestions', { token: bob })).json as { groups: string[]; complete: boolean };
    expect(own.complete).toBe(false);
    expect(own.groups.some((g) => g.startsWith('mlflow-role:'))).toBe(false);
    await open(admin, 'Experiments');
    await admin.getByRole('row').filter({ hasText: experiment }).getByRole('button', { name: `Access to ${experiment}` }).click();
    const dialog = admin.getByRole('dialog', { name: `Access to ${experiment}` });
    const direct = dialog.getByRole('table', { name: 'Direct grants' });
    const roleRow = direct.getByRole('row').filter({ hasText: `mlflow-role:${roleId}` });
    await roleRow.getByText('MLflow role', { exact: true }).waitFor();
    await roleRow.getByText("Managed through MLflow's auth API", { exact: false }).waitFor();
    await expect(roleRow.getByRole('combobox').count()).resolves.toBe(0);
    await expect(roleRow.getByRole('button').count()).resolves.toBe(0);
    const form = dialog.getByRole('form', { name: 'Share' });
    const options = await form.locator('datalist option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options.length).toBeGreaterThan(0);
    expect(options.filter((o) => o.toLowerCase().startsWith('mlflow-role:'))).toEqual([]);
    await form.getByLabel('Share with').selectOption('group');
    await form.getByLabel('Group name').fill(`mlflow-role:${roleId}`);
    await form.getByRole('alert').getByText("MLflow's auth API", { exact: false }).waitFor();
    await expect(form.getByRole('button', { name: 'Share' }).isDisabled()).resolves.toBe(true);
    await admin.screenshot({ path: 'test-artifacts/role-share-dialog.png' });
    expect(errors).toEqual([]);
  });

  it("the users page shows bob's role group as the role it is, with where it is managed", async () => {
    await admin.goto(`${stack.gatewayUrl}/_gateway/ui/users`); // the previous test leaves the share dialog open
    await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    const row = admin.getByRole('row').filter({ has: admin.getByRole('link', { name: 'bob', exact: true }) });
    const tag = row.getByText(`MLflow role ${roleId}`, { exact: true });
    await tag.waitFor();
    await expect(row.locator(`[title^="mlflow-role:${roleId}: "]`).count()).resolves.toBe(1);
    // Not shown as a plain group name (which would read as one to grant to).
    await expect(row.getByText(`mlflow-role:${roleId}`, { exact: true }).count()).resolves.toBe(0);
    await admin.screenshot({ path: 'test-artifacts/role-users-page.png' });
    expect(errors).toEqual([]);
  });
});
