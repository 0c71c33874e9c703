// `import mlflow-oidc-auth` against a database written by the real product: mlflow-oidc-auth 11.x
// from PyPI (the peers' venv), populated through its own store. Before: the real plugin server
// (`mlflow server --app-name oidc-auth`) answers alice, bob and carol (a member of team-a); after
// the import the gateway must answer them exactly the same, on the same MLflow data, with the same
// IdP tokens — a table of resources × users, both sides, from the stock MLflow client.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePeerVenv } from '../../bench/lib/venvs.js';
import { freePort, startMlflow, type MlflowServer } from '../../src/devtools/mlflow.js';
import { offlineCliEnv, runCli } from '../support/cli.js';
import { decisionTable, type TableResource } from '../support/decision-table.js';
import { runPythonIn } from '../support/python.js';
import { CLIENT_ID, CLIENT_SECRET, startStack, type Stack } from '../support/stack.js';

const POPULATE = String.raw`
import json, os
from datetime import datetime, timedelta, timezone
from mlflow_oidc_auth.store import store
ids = json.loads(os.environ["IDS"])
for u in ["alice@example.com", "bob@example.com", "carol@example.com"]:
    store.create_user(u, u.split("@")[0].title())
store.create_user("ci-bot", "CI bot", is_service_account=True)
store.populate_groups(["team-a"])
for u in ["alice@example.com", "carol@example.com"]:
    store.add_user_to_group(u, "team-a")
store.create_experiment_permission(ids["exp-alice"], "alice@example.com", "EDIT")
store.create_experiment_permission(ids["exp-bob"], "bob@example.com", "READ")
store.create_experiment_permission(ids["exp-team"], "carol@example.com", "READ")
store.create_group_experiment_permission("team-a", ids["exp-team"], "EDIT")
store.create_registered_model_permission("model-alice", "alice@example.com", "MANAGE")
store.create_group_model_permission("team-a", "model-team", "READ")
store.create_experiment_regex_permission("^bob-", 1, "EDIT", "bob@example.com")
store.create_group_registered_model_regex_permission("team-a", "^shared-", 2, "EDIT")
store.create_experiment_permission(ids["exp-alice"], "ci-bot", "EDIT")
store.create_scorer_permission(ids["exp-team"], "quality", "carol@example.com", "MANAGE")
# Prompts share the registered-model rows (user) and carry a flag (group); the AI gateway's objects are by name.
store.create_registered_model_permission("prompt-bob", "bob@example.com", "EDIT")
store.create_group_prompt_permission("team-a", "prompt-team", "READ")
store.create_gateway_endpoint_permission("ep-chat", "alice@example.com", "USE")
store.create_group_gateway_secret_permission("team-a", "secret.team", "READ")
store.create_user_token("alice@example.com", "laptop", datetime.now(timezone.utc) + timedelta(days=30), "alice@example.com")
print("POPULATED")
`;

describe('import mlflow-oidc-auth: the same decisions before and after', () => {
  let plain: MlflowServer;
  let plugin: MlflowServer;
  let stack: Stack;
  let venv: string;
  let resources: TableResource[];
  let creds: Record<string, { token: string }>;
  let before: Record<string, string>;
  const work = mkdtempSync(join(tmpdir(), 'gw-import-oidc-'));
  const oldDb = join(work, 'oidc_auth.db');
  const dbUrl = `sqlite:${join(work, 'gateway.db')}`;
  const cli = (args: string[]) => runCli(['import', 'mlflow-oidc-auth', '--from', `sqlite:///${oldDb}`, ...args], offlineCliEnv(dbUrl));

  beforeAll(async () => {
    venv = ensurePeerVenv();
    const dataDir = join(work, 'mlflow');
    plain = await startMlflow({ dataDir });
    const ids: Record<string, string> = {};
    for (const name of ['exp-alice', 'exp-bob', 'exp-team', 'bob-scratch', 'exp-closed']) {
      const r = await fetch(`${plain.url}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      ids[name] = ((await r.json()) as { experiment_id: string }).experiment_id;
    }
    for (const name of ['model-alice', 'model-team', 'shared-model', 'model-other']) {
      await fetch(`${plain.url}/api/2.0/mlflow/registered-models/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    }
    const prompts = await runPythonIn(join(venv, 'bin/python'), 'import os\nfrom mlflow import MlflowClient\nc = MlflowClient(os.environ["URL"])\nfor n in ["prompt-bob", "prompt-team", "prompt-other"]:\n    c.register_prompt(n, "Hello {{name}}")\nprint("PROMPTS")', { URL: plain.url }, 300_000);
    if (!prompts.stdout.includes('PROMPTS')) throw new Error(`registering prompts failed:\n${prompts.stderr.slice(-3000)}`);
    resources = [
      ...Object.entries(ids).map(([label, id]) => ({ type: 'experiment' as const, id, label })),
      ...['model-alice', 'model-team', 'shared-model', 'model-other'].map((n) => ({ type: 'registered_model' as const, id: n, label: n })),
      ...['prompt-bob', 'prompt-team', 'prompt-other'].map((n) => ({ type: 'prompt' as const, id: n, label: n })),
    ];
    // The gateway (usernames from the email claim, as mlflow-oidc-auth's default) and its real IdP.
    stack = await startStack({ upstreamUrl: plain.url, env: { GATEWAY_DATABASE_URL: dbUrl, GATEWAY_DEFAULT_PERMISSION: 'NO_PERMISSIONS', OIDC_USERNAME_CLAIM: 'email' } });
    for (const [u, groups] of Object.entries({ alice: ['team-a', 'mlflow-users'], bob: ['mlflow-users'], carol: ['team-a', 'team-b', 'mlflow-users'] })) stack.idp.setUserGroups(u, groups);
    const pluginEnv = {
      OIDC_DISCOVERY_URL: `${stack.idp.issuer}/.well-known/openid-configuration`, OIDC_ISSUER: stack.idp.issuer, OIDC_AUDIENCE: 'mlflow-gateway',
      OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, OIDC_REDIRECT_URI: 'http://127.0.0.1/test-callback', OIDC_SCOPE: 'openid email profile groups',
      OIDC_PROVISION_ON_BEARER_AUTH: 'true', OIDC_GROUP_NAME: 'mlflow-users', OIDC_ADMIN_GROUP_NAME: 'mlflow-admins', DEFAULT_MLFLOW_PERMISSION: 'NO_PERMISSIONS',
      SECRET_KEY: 'test-oidc-auth-secret-key-0123456789', OIDC_USERS_DB_URI: `sqlite:///${oldDb}`,
    };
    const populated = await runPythonIn(join(venv, 'bin/python'), POPULATE, { ...pluginEnv, IDS: JSON.stringify(ids) }, 480_000);
    if (!populated.stdout.includes('POPULATED')) throw new Error(`populating mlflow-oidc-auth failed:\n${populated.stderr.slice(-3000)}`);
    plugin = await startMlflow({ venv, dataDir, port: await freePort(), args: ['--app-name', 'oidc-auth'], env: pluginEnv, startTimeoutMs: 400_000 });
    creds = Object.fromEntries(await Promise.all(['alice', 'bob', 'carol'].map(async (u) => [u, { token: (await stack.idp.getTokens(u)).access_token }] as const)));
    before = await decisionTable(join(venv, 'bin/python'), plugin.url, creds, resources);
  }, 1_500_000);
  afterAll(async () => {
    await plugin?.stop();
    await stack?.stop();
    await plain?.stop();
  });

  it('reports users, groups, grants per type, regex rules, unmappable rows and token owners', async () => {
    const r = await cli(['--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.mode).toBe('dry-run');
    expect(report.counts).toMatchObject({ users: 3, service_accounts: 1 });
    expect(report.groups).toContainEqual({ name: 'team-a', members: ['alice@example.com', 'carol@example.com'] });
    expect(report.grants).toContainEqual(expect.objectContaining({ principal_type: 'group', principal: 'team-a', resource_type: 'registered_model', resource_id: 'model-team', level: 'READ' }));
    expect(report.pattern_rules).toContainEqual(expect.objectContaining({ principal_type: 'user', principal: 'bob@example.com', matcher: 'regex', pattern: '(?:^bob-).*', priority: 1 }));
    expect(report.pattern_rules).toContainEqual(expect.objectContaining({ principal_type: 'group', principal: 'team-a', resource_type: 'registered_model', priority: 2 }));
    expect(report.unmapped).toContainEqual(expect.objectContaining({ item: expect.stringContaining('scorer_permissions') }));
    expect(report.need_new_tokens).toEqual(['alice@example.com']);
    // Registered-model rows hold prompt grants too: written for both types (one name space there).
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'bob@example.com', resource_type: 'prompt', resource_id: 'prompt-bob', level: 'EDIT' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'team-a', resource_type: 'prompt', resource_id: 'prompt-team', level: 'READ' }));
    // The AI gateway's objects are named there, so they become rules matching exactly that name.
    expect(report.pattern_rules).toContainEqual(expect.objectContaining({ principal: 'alice@example.com', resource_type: 'gateway_endpoint', matcher: 'glob', pattern: 'ep-chat', level: 'USE' }));
    expect(report.pattern_rules).toContainEqual(expect.objectContaining({ principal_type: 'group', principal: 'team-a', resource_type: 'gateway_secret', pattern: 'secret.team', level: 'READ' }));
  }, 600_000);

  it('applies, a second run changes nothing, and alice, bob and carol get the decisions mlflow-oidc-auth gave them', async () => {
    const first = await cli(['--apply', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).applied).toMatchObject({ users_created: 3, service_accounts_created: 1 });
    const second = await cli(['--apply', '--json']);
    expect(JSON.parse(second.stdout).applied).toMatchObject({ users_created: 0, service_accounts_created: 0, grants_written: 0, pattern_rules_written: 0 });
    const after = await decisionTable(join(venv, 'bin/python'), stack.gatewayUrl, creds, resources);
    const rows = Object.keys(before).map((k) => ({ cell: k, before: before[k], after: after[k] }));
    expect(rows.filter((x) => x.before !== x.after), JSON.stringify(rows, null, 1)).toEqual([]);
    for (const u of ['alice', 'bob', 'carol']) {
      expect(rows.some((x) => x.cell.startsWith(u) && x.before === 'allow')).toBe(true);
      expect(rows.some((x) => x.cell.startsWith(u) && x.before === 'deny')).toBe(true);
    }
  }, 900_000);
});
