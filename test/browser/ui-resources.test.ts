import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';
import { CHROMIUM, launchChromium, prepareUiTest, screenshotWholePage, signInInChromium, watchedPage } from '../support/chromium.js';

// The web UI's pages for service accounts, everyone's credentials, MLflow's other resources,
// deleted items, child grants, protected keys, team defaults, pattern previews, explain by name
// and the API reference, in Debian's Chromium against the real MLflow. Every page is shot at
// 1280 and 375 px (test-artifacts/res-*.png) and must not scroll sideways on a phone.
describe.runIf(existsSync(CHROMIUM))('web UI: service accounts, resources and the permission model', () => {
  let stack: Stack;
  let browser: Browser;
  let admin: Page;
  let alice: Page;
  let owner: ApiCaller;
  let experiment: { id: string; name: string };
  let runId: string;
  let deletedRun: string;
  let deletedExperiment: { id: string; name: string };
  let prompt: string;
  const consoleErrors: string[] = [];
  const overflow: string[] = [];

  beforeAll(async () => {
    prepareUiTest();
    stack = await startStack();
    browser = await launchChromium();
    owner = await callerFor(stack, 'admin');
    const create = async (name: string) => {
      const res = await owner.post('experiments/create', { name });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return { id: res.json.experiment_id as string, name };
    };
    experiment = await create(unique('res-team-a-exp'));
    const run = await owner.post('runs/create', { experiment_id: experiment.id, run_name: 'first-run', start_time: Date.now() });
    runId = run.json.run.info.run_id;
    const second = await owner.post('runs/create', { experiment_id: experiment.id, run_name: 'thrown-away', start_time: Date.now() });
    deletedRun = second.json.run.info.run_id;
    expect((await owner.post('runs/delete', { run_id: deletedRun })).status).toBe(200);
    deletedExperiment = await create(unique('res-old-exp'));
    expect((await owner.post('experiments/delete', { experiment_id: deletedExperiment.id })).status).toBe(200);
    // A crowded server, as in CI where every test file shares one MLflow: 55 newer experiments,
    // deleted, so that the test's own are beyond MLflow's first 50 in every list the UI asks for.
    for (let batch = 0; batch < 55; batch += 11) {
      await Promise.all(Array.from({ length: 11 }, async () => {
        const crowd = await create(unique('res-crowd'));
        expect((await owner.post('experiments/delete', { experiment_id: crowd.id })).status).toBe(200);
      }));
    }
    const active = await create(unique('res-crowd-active'));
    for (let i = 0; i < 54; i++) await owner.post('experiments/create', { name: `${active.name}-${i}` });
    prompt = unique('res-prompt');
    const p = await owner.post('registered-models/create', { name: prompt, tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
    expect(p.status, JSON.stringify(p.json)).toBe(200);
    admin = await signedIn('admin');
    alice = await signedIn('alice');
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function signedIn(username: string): Promise<Page> {
    // A refused MLflow call shows in the page (ErrorBox); the browser logs the failed fetch as an error too.
    const page = await watchedPage(browser, username, consoleErrors, (text) => !/Failed to load resource/.test(text));
    await signInInChromium(page, stack, username, `${stack.gatewayUrl}/_gateway/ui/`, `${stack.gatewayUrl}/_gateway/ui/`);
    await page.getByRole('heading', { name: 'Profile & tokens' }).waitFor();
    return page;
  }

  /** Screenshots at desktop and phone width; records any page that scrolls sideways at 375 px. */
  const shot = async (page: Page, name: string) => {
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await screenshotWholePage(page, `test-artifacts/res-${name}.png`);
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(150);
    const wide = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    if (wide > 0) {
      // Name the outermost elements that stick out, so the failure says what to fix.
      const culprits = await page.evaluate<string[]>(`[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 1)).slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))`);
      overflow.push(`${name}: ${wide}px too wide: ${culprits.join(' | ')}`);
    }
    await screenshotWholePage(page, `test-artifacts/res-${name}-375.png`);
    await page.setViewportSize({ width: 1280, height: 800 });
  };
  const open = async (page: Page, label: string, heading = label) => {
    await page.getByRole('navigation', { name: 'Gateway' }).getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const store = () => stack.server.gateway.store;

  it('a service account has its own page: scoped read-only token, trust rule, OAuth client, revoke', async () => {
    await open(admin, 'Service accounts');
    const create = admin.getByRole('form', { name: 'Create a service account' });
    await create.getByLabel('Name').fill('res-trainer');
    await create.getByLabel('Description').fill('nightly training job');
    await create.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('table', { name: 'Service accounts' }).getByRole('link', { name: 'res-trainer', exact: true }).click();
    await admin.getByRole('heading', { level: 1, name: 'res-trainer' }).waitFor();
    await expect(admin.getByText('Not signed in anywhere').count()).resolves.toBe(0);

    const mint = admin.getByRole('form', { name: 'New service-account token' });
    await mint.getByLabel('Token name').fill('nightly');
    await mint.getByLabel('Expires in').selectOption('30');
    await mint.getByLabel('Read-only (never writes)').check();
    await mint.getByLabel('Reaches').selectOption('some');
    await mint.getByLabel('Scope resource').fill(experiment.name.slice(0, 14));
    await mint.getByRole('option', { name: new RegExp(experiment.name) }).click();
    await mint.getByRole('button', { name: 'Add to scope' }).click();
    await mint.getByLabel('Token scope').getByText(experiment.name).waitFor();
    await mint.getByRole('button', { name: 'Create token' }).click();
    const secret = await admin.getByLabel('New service-account token secret').inputValue();
    expect(secret).toMatch(/^mog_/);
    const account = await store().users.getByUsername('res-trainer');
    const [token] = await store().tokens.list({ userId: account!.id });
    expect(token).toMatchObject({ name: 'nightly', readOnly: true, scope: [{ type: 'experiment', id: experiment.id }] });
    // The token reads the scoped experiment and nothing else, and never writes.
    await store().grants.set({ principalType: 'user', principal: account!.id, resourceType: 'experiment', resourceId: experiment.id, level: 'EDIT' });
    const asToken = (path: string, body: unknown) => fetch(`${stack.gatewayUrl}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await asToken('runs/search', { experiment_ids: [experiment.id] })).status).toBe(200);
    expect((await asToken('runs/create', { experiment_id: experiment.id })).status).toBe(403);
    await admin.getByRole('table', { name: 'Tokens' }).getByText(`only experiment ${experiment.name} (id ${experiment.id})`).waitFor();

    const rule = admin.getByRole('form', { name: 'Add a trust rule' });
    await rule.getByLabel('Rule name').fill('k8s-trainer');
    await rule.getByLabel('Preset').selectOption('kubernetes');
    await rule.getByRole('textbox', { name: /^Issuer/ }).fill('https://k8s.example.com');
    await rule.getByLabel('Audience').fill('mlflow');
    await rule.getByLabel('Value').fill('system:serviceaccount:ml:trainer');
    await rule.getByRole('button', { name: 'Add trust rule' }).click();
    await admin.getByRole('table', { name: 'Trust rules' }).getByText('k8s-trainer').waitFor();
    expect(await store().federation.rules({ serviceAccountId: account!.id })).toEqual([expect.objectContaining({ name: 'k8s-trainer', issuer: 'https://k8s.example.com' })]);

    const client = admin.getByRole('form', { name: 'Map an OAuth client' });
    await client.getByLabel('Client id').fill('trainer-client');
    await client.getByRole('button', { name: 'Map client' }).click();
    await admin.getByRole('list', { name: 'OAuth clients' }).getByText('trainer-client').waitFor();
    await shot(admin, 'service-account');

    await admin.getByRole('button', { name: 'Revoke token nightly' }).click();
    await admin.getByRole('button', { name: 'Confirm: Revoke token nightly' }).click();
    await admin.getByText('No active tokens').waitFor();
    expect((await asToken('runs/search', { experiment_ids: [experiment.id] })).status).toBe(401);
    await admin.getByRole('button', { name: 'Delete trust rule k8s-trainer' }).click();
    await admin.getByRole('button', { name: 'Confirm: Delete trust rule k8s-trainer' }).click();
    await admin.getByText('No trust rules').waitFor();
  });

  it('an administrator sees everyone\'s tokens and sessions and revokes them', async () => {
    const res = await alice.evaluate<number>(`fetch('/_gateway/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice-laptop', expires_in_days: 7 }) }).then((r) => r.status)`);
    expect(res).toBe(201);
    await open(admin, 'Tokens & sessions');
    await admin.getByLabel('Filter by user').fill('alice');
    const tokens = admin.getByRole('table', { name: 'Tokens' });
    await tokens.getByText('alice-laptop').waitFor();
    await admin.getByRole('region', { name: 'Sessions of alice' }).waitFor();
    await shot(admin, 'credentials');
    await admin.getByRole('button', { name: 'Revoke token alice-laptop' }).click();
    await admin.getByRole('button', { name: 'Confirm: Revoke token alice-laptop' }).click();
    await tokens.getByText('alice-laptop').waitFor({ state: 'detached' });
    const aliceUser = await store().users.getByUsername('alice');
    expect((await store().tokens.list({ userId: aliceUser!.id })).every((t) => t.revokedAt)).toBe(true);
  });

  it('prompts, AI-gateway endpoints and workspaces have their own pages', async () => {
    await open(admin, 'Prompts');
    await admin.getByRole('table', { name: 'Prompts' }).getByText(prompt).waitFor();
    await shot(admin, 'prompts');
    await admin.getByRole('button', { name: `Access to ${prompt}` }).click();
    await admin.getByRole('dialog', { name: `Access to ${prompt}` }).getByRole('heading', { name: 'Who can read it, and why' }).waitFor();
    await admin.keyboard.press('Escape');
    await open(admin, 'AI-gateway endpoints');
    await admin.getByText(/No endpoints yet|AI-gateway endpoints|Not found|could not/).first().waitFor();
    await shot(admin, 'endpoints');
    await open(admin, 'Workspaces');
    await admin.locator('.card').first().waitFor();
    await shot(admin, 'workspaces');
  });

  it('a run is shared on its own from its experiment, and a DENY shows as such', async () => {
    await open(admin, 'Experiments');
    await admin.getByRole('row').filter({ hasText: experiment.name }).getByRole('button', { name: `Inside ${experiment.name}` }).click();
    const inside = admin.getByRole('dialog', { name: `Inside ${experiment.name}` });
    await inside.getByRole('table', { name: 'Runs' }).getByText('first-run').waitFor();
    await shot(admin, 'experiment-inside');
    await inside.getByRole('button', { name: 'Access to first-run' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Access to first-run' });
    const form = dialog.getByRole('form', { name: 'Share' });
    await form.getByLabel('Share with').selectOption('user');
    await form.getByLabel(/Username/).fill('alice');
    await form.getByLabel('Level').selectOption('READ');
    await form.getByRole('button', { name: 'Share' }).click();
    await dialog.getByRole('table', { name: 'Direct grants' }).getByText('alice').waitFor();
    const aliceId = (await store().users.getByUsername('alice'))!.id;
    expect(await store().grants.listForResource('run', runId)).toEqual([expect.objectContaining({ principal: aliceId, level: 'READ' })]);
    await form.getByLabel('Share with').selectOption('group');
    await form.getByLabel('Group name').fill('team-b');
    await form.getByLabel('Level').selectOption('DENY');
    await form.getByRole('button', { name: 'Share' }).click();
    // Nobody of team-b has signed in here: the dialog warns about an unknown group first.
    await form.getByRole('button', { name: 'Share anyway' }).click();
    await dialog.getByRole('table', { name: 'Direct grants' }).getByRole('row').filter({ hasText: 'team-b' }).locator('.badge.level-deny').getByText('Denied').waitFor();
    await shot(admin, 'run-access-deny');
    await admin.keyboard.press('Escape'); // back to the experiment's contents
    await inside.waitFor();
    await admin.keyboard.press('Escape');
    await inside.waitFor({ state: 'detached' });
  });

  it('deleted experiments and runs are restored from the UI', async () => {
    await open(admin, 'Deleted items', 'Deleted experiments & runs');
    // The suite's MLflow holds every test file's experiments: the name narrows the lists (50 most recent otherwise).
    const byName = admin.getByLabel('Experiment name contains');
    await byName.fill(deletedExperiment.name);
    await admin.getByRole('table', { name: 'Deleted experiments' }).getByText(deletedExperiment.name).waitFor();
    await shot(admin, 'deleted');
    await admin.getByRole('button', { name: `Restore ${deletedExperiment.name}` }).click();
    await admin.getByRole('button', { name: `Confirm: Restore ${deletedExperiment.name}` }).click();
    await admin.getByText(`Experiment ${deletedExperiment.name} restored.`).waitFor();
    await byName.fill(experiment.name);
    await admin.getByRole('table', { name: 'Deleted runs' }).getByText('thrown-away').waitFor();
    await admin.getByRole('button', { name: 'Restore run thrown-away' }).click();
    await admin.getByRole('button', { name: 'Confirm: Restore run thrown-away' }).click();
    await admin.getByText('Run thrown-away restored.').waitFor();
    expect((await owner.get('experiments/get', { experiment_id: deletedExperiment.id })).json.experiment.lifecycle_stage).toBe('active');
    expect((await owner.get('runs/get', { run_id: deletedRun })).json.run.info.lifecycle_stage).toBe('active');
  });

  it('grants on a deleted experiment and on one MLflow no longer has say "deleted" on the group and user pages, without a failed request', async () => {
    const gone = await owner.post('experiments/create', { name: unique('res-gone-exp') });
    const goneId = gone.json.experiment_id as string;
    const goneName = (await owner.get('experiments/get', { experiment_id: goneId })).json.experiment.name as string;
    expect((await owner.post('experiments/delete', { experiment_id: goneId })).status).toBe(200);
    const missingId = '987654321'; // no experiment has it: as after MLflow's gc removed one
    expect((await owner.get('experiments/get', { experiment_id: missingId })).status).toBe(404);
    const group = unique('res-gone-team');
    const user = await store().users.getByUsername('alice'); // signed in by beforeAll
    for (const [resourceId, principalType, principal] of [[goneId, 'group', group], [missingId, 'group', group], [goneId, 'user', user!.id], [missingId, 'user', user!.id]] as const) {
      await store().grants.set({ principalType, principal, resourceType: 'experiment', resourceId, level: 'READ' });
    }
    const failed: string[] = [];
    const onResponse = (r: { status: () => number; url: () => string }) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); };
    admin.on('response', onResponse);
    try {
      await open(admin, 'Groups');
      await admin.getByRole('table', { name: 'Groups' }).getByRole('button', { name: group }).click();
      const grants = admin.getByRole('table', { name: `Grants of ${group}` });
      await grants.getByRole('row').filter({ hasText: goneName }).getByText('deleted').waitFor();
      await grants.getByRole('row').filter({ hasText: missingId }).getByText('deleted').waitFor();
      await shot(admin, 'group-deleted-grants');
      await admin.goto(`${stack.gatewayUrl}/_gateway/ui/users/alice`);
      const own = admin.getByRole('table', { name: 'Grants of alice' });
      await own.getByRole('row').filter({ hasText: goneName }).getByText('deleted').waitFor();
      await own.getByRole('row').filter({ hasText: missingId }).getByText('deleted').waitFor();
      await shot(admin, 'user-deleted-grants');
    } finally {
      admin.off('response', onResponse);
      for (const [resourceId, principalType, principal] of [[goneId, 'group', group], [missingId, 'group', group], [goneId, 'user', user!.id], [missingId, 'user', user!.id]] as const) {
        await store().grants.delete(principalType, principal, 'experiment', resourceId);
      }
    }
    expect(failed).toEqual([]);
  });

  it('a resource type reads the same on the group page and in the forms (one table of type labels)', async () => {
    const group = unique('res-endpoint-team');
    await store().grants.set({ principalType: 'group', principal: group, resourceType: 'gateway_endpoint', resourceId: 'res-endpoint-1', level: 'USE' });
    try {
      await open(admin, 'Groups');
      await admin.getByRole('table', { name: 'Groups' }).getByRole('button', { name: group }).click();
      const row = admin.getByRole('table', { name: `Grants of ${group}` }).getByRole('row').filter({ hasText: 'res-endpoint-1' });
      await expect(row.locator('.tag').textContent()).resolves.toBe('AI-gateway endpoint');
      await open(admin, 'Pattern rules');
      const types = await admin.getByLabel('Resource type').first().locator('option').allTextContents();
      expect(types).toEqual(expect.arrayContaining(['experiment', 'model', 'AI-gateway endpoint']));
    } finally {
      await store().grants.delete('group', group, 'gateway_endpoint', 'res-endpoint-1');
    }
  });

  it('protected aliases and team defaults are listed, created and deleted', async () => {
    await open(admin, 'Protected keys & defaults', 'Protected keys & team defaults');
    const protect = admin.getByRole('form', { name: 'Protect an alias or tag' });
    await protect.getByRole('textbox', { name: /^Alias or tag key/ }).fill('champion');
    await protect.getByLabel('Needs level').selectOption('');
    await protect.getByLabel('Or be in groups').fill('release-managers');
    await protect.getByRole('button', { name: 'Protect' }).click();
    await admin.getByRole('table', { name: 'Protected keys' }).getByText('release-managers').waitFor();
    const team = admin.getByRole('form', { name: 'Add a team default' });
    await team.getByLabel('On new').selectOption('experiment');
    await team.getByLabel('Level').selectOption('EDIT');
    await team.getByRole('button', { name: 'Add default' }).click();
    await admin.getByRole('table', { name: 'Team defaults' }).getByText("the creator's groups").waitFor();
    expect(await store().rules.protectedKeys()).toEqual([expect.objectContaining({ keyPattern: 'champion', allowedGroups: ['release-managers'], requiredLevel: null })]);
    expect(await store().rules.teamDefaults()).toEqual([expect.objectContaining({ resourceType: 'experiment', level: 'EDIT', grantTo: 'creator_groups' })]);
    await shot(admin, 'rules');
    await admin.getByRole('button', { name: 'Delete protected key champion' }).click();
    await admin.getByRole('button', { name: 'Confirm: Delete protected key champion' }).click();
    await admin.getByText('No protected keys').waitFor();
    expect(await store().rules.protectedKeys()).toEqual([]);
  });

  it('a pattern rule shows what it would match before it is added; levels are shown in words', async () => {
    await open(admin, 'Pattern rules');
    const form = admin.getByRole('form', { name: 'Add a pattern rule' });
    // Typed key by key: the preview searches MLflow once the pattern's literal start settles, not
    // once per key (11 searches for these 12 keys without the debounce; a slow machine may let a
    // pause between keys through, hence the margin).
    const searches: string[] = [];
    const countSearch = (r: { url: () => string }) => { if (r.url().includes('/experiments/search')) searches.push(r.url()); };
    admin.on('request', countSearch);
    await form.getByLabel('Pattern').pressSequentially('res-team-a-*', { delay: 20 });
    const preview = form.getByRole('status', { name: 'Preview of the rule' });
    await preview.getByText(experiment.name).waitFor();
    admin.off('request', countSearch);
    expect(searches.length).toBeGreaterThanOrEqual(1);
    expect(searches.length).toBeLessThanOrEqual(3);
    await expect(preview.textContent()).resolves.not.toContain(deletedExperiment.name.slice(0, 10) + 'x');
    await form.getByLabel('Matcher').selectOption('regex');
    await form.getByLabel('Pattern').fill('res-(');
    await form.getByText('cannot be used').waitFor();
    await form.getByLabel('Pattern').fill('res-team-a-.*');
    await preview.getByText(experiment.name).waitFor();
    const options = await form.getByLabel('Level').locator('option').allTextContents();
    expect(options.join('\n')).not.toMatch(/NO_PERMISSIONS|\bDENY\b/);
    expect(options).toContain('No access — no access');
    await shot(admin, 'patterns-preview');
    // Added, then edited in place: same rule, new pattern and level.
    await form.getByRole('combobox', { name: 'Group', exact: true }).fill('team-a');
    await form.getByLabel('Level').selectOption('READ');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const table = admin.getByRole('table', { name: 'Pattern rules' });
    await table.getByText('res-team-a-.*').waitFor();
    const [added] = await store().grants.listPatterns();
    await table.getByRole('button', { name: 'Edit rule res-team-a-.*' }).click();
    const edit = admin.getByRole('form', { name: 'Edit rule res-team-a-.*' });
    await edit.getByLabel('Matcher').selectOption('glob');
    await edit.getByLabel('Pattern').fill('res-team-a-*');
    await edit.getByLabel('Level').selectOption('DENY');
    await edit.getByRole('status', { name: 'Preview of the rule' }).getByText(experiment.name).waitFor();
    await shot(admin, 'patterns-edit');
    await edit.getByRole('button', { name: 'Save' }).click();
    await table.getByRole('row').filter({ hasText: 'res-team-a-*' }).locator('.badge.level-deny').waitFor();
    expect(await store().grants.listPatterns()).toEqual([expect.objectContaining({ id: added!.id, matcher: 'glob', pattern: 'res-team-a-*', level: 'DENY' })]);
    await store().grants.deletePattern(added!.id);
  });

  it('explain picks the resource by name', async () => {
    await open(alice, 'Explain access');
    const form = alice.getByRole('form', { name: 'Explain access' });
    await form.getByLabel('Find the experiment by name').fill(experiment.name.slice(0, 14));
    // alice sees only what she may read: the experiment is not listed to her (the run grant opens the run only).
    await form.getByText('No experiment you can see matches').waitFor();
    await open(admin, 'Explain access');
    const ex = admin.getByRole('form', { name: 'Explain access' });
    await ex.getByLabel('User').fill('alice');
    await ex.getByLabel('Find the experiment by name').fill(experiment.name.slice(0, 14));
    await ex.getByRole('option', { name: new RegExp(experiment.name) }).click();
    await expect(ex.getByLabel('Resource id').inputValue()).resolves.toBe(experiment.id);
    await ex.getByRole('button', { name: 'Explain' }).click();
    await admin.getByText('denied').first().waitFor();
    await shot(admin, 'explain-by-name');
  });

  it('the API reference is a rendered page of the OpenAPI document', async () => {
    await admin.getByRole('navigation', { name: 'Gateway' }).getByRole('link', { name: 'API reference' }).click();
    await admin.getByRole('heading', { level: 1, name: 'API reference' }).waitFor();
    await admin.getByLabel('Filter operations').fill('sessions');
    const op = admin.locator('details.api-op').filter({ hasText: 'Active browser sessions' }).first();
    await op.locator('summary').click();
    await op.getByRole('table').getByText('all').first().waitFor();
    await shot(admin, 'api-reference');
  });

  it('nothing scrolls sideways at 375 px, and no console errors', () => {
    expect(overflow).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
