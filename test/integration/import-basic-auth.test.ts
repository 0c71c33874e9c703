// `import basic-auth` against a database written by the real product: MLflow's basic-auth server
// (the pinned MLflow), populated through its own AuthServiceClient. Then alice, bob and carol (a
// member of the team-a role) must get exactly the decisions they got before,
// now through the gateway: the same table of resources × users, both sides, from the stock client.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflow, type MlflowServer } from '../../src/devtools/mlflow.js';
import { BASIC_AUTH_ADMIN, startBasicAuthServer, type BasicAuthServer } from '../support/basic-auth-server.js';
import { offlineCliEnv, runCli, withStore } from '../support/cli.js';
import { decisionTable, type TableResource } from '../support/decision-table.js';
import { runPythonIn } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';

const PASSWORDS: Record<string, string> = { alice: 'alice-password-1234567', bob: 'bob-password-1234567', carol: 'carol-password-1234567', 'ci-bot': 'ci-bot-password-1234567' };

// Everything through MLflow's own clients as an administrator: users, a role, grants of 3.17.2.
const POPULATE = String.raw`
import json, os
from mlflow import MlflowClient
from mlflow.server.auth.client import AuthServiceClient
URL = os.environ["URL"]
os.environ["MLFLOW_TRACKING_USERNAME"] = os.environ["ADMIN_USER"]
os.environ["MLFLOW_TRACKING_PASSWORD"] = os.environ["ADMIN_PASSWORD"]
pw = json.loads(os.environ["PASSWORDS"])
auth = AuthServiceClient(URL)
c = MlflowClient(URL)
for u, p in pw.items():
    auth.create_user(u, p)
ids = {n: c.create_experiment(n) for n in ["exp-alice", "exp-bob", "exp-team", "exp-closed"]}
for n in ["model-alice", "model-team", "model-other"]:
    c.create_registered_model(n)
auth.grant_user_permission("alice", "experiment", ids["exp-alice"], "EDIT")
auth.grant_user_permission("alice", "registered_model", "model-alice", "MANAGE")
auth.grant_user_permission("bob", "experiment", ids["exp-bob"], "READ")
auth.grant_user_permission("bob", "registered_model", "*", "READ")
auth.grant_user_permission("bob", "experiment", ids["exp-team"], "EDIT")
auth.grant_user_permission("ci-bot", "experiment", ids["exp-alice"], "EDIT")
# alice's own READ beside her role's EDIT: MLflow folds to EDIT (the importer must keep that).
auth.grant_user_permission("alice", "experiment", ids["exp-team"], "READ")
role = auth.create_role("default", "team-a", "the team")
auth.add_role_permission(role.id, "experiment", ids["exp-team"], "EDIT")
auth.add_role_permission(role.id, "registered_model", "model-team", "READ")
auth.add_role_permission(role.id, "scorer", "*", "READ")
auth.assign_role("alice", role.id)
auth.assign_role("carol", role.id)
# DENY: carol's own veto beside her role's READ, and bob's beside his wildcard READ (both denied there).
auth.grant_user_permission("carol", "registered_model", "model-team", "DENY")
auth.grant_user_permission("bob", "registered_model", "model-other", "DENY")
# A prompt is its own resource type in 3.17.2.
c.register_prompt("prompt-alice", "Hello {{name}}")
c.register_prompt("prompt-other", "Bye {{name}}")
auth.grant_user_permission("alice", "prompt", "prompt-alice", "EDIT")
auth.grant_user_permission("bob", "prompt", "prompt-alice", "READ")
# The AI gateway's resources (grants do not need the objects to exist) and a scorer.
auth.add_role_permission(role.id, "gateway_endpoint", "ep-team", "USE")
auth.grant_user_permission("bob", "gateway_secret", "secret-bob", "READ")
auth.grant_user_permission("alice", "gateway_model_definition", "md-alice", "USE")
auth.grant_user_permission("bob", "scorer", ids["exp-bob"] + "/quality", "DENY")
print("IDS=" + json.dumps(ids))
`;

describe('import basic-auth: the same decisions before and after', () => {
  let basic: BasicAuthServer;
  let plain: MlflowServer;
  let stack: Stack;
  let ids: Record<string, string>;
  let before: Record<string, string>;
  let resources: TableResource[];
  const dbUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'gw-import-')), 'gateway.db')}`;
  const cli = (args: string[]) => runCli(['import', 'basic-auth', '--from', `sqlite:///${basic.authDbPath}`, '--config-file', basic.iniPath, '--service-accounts', 'ci-bot', ...args], offlineCliEnv(dbUrl));

  beforeAll(async () => {
    basic = await startBasicAuthServer({ defaultPermission: 'NO_PERMISSIONS' });
    const r = await runPythonIn(basic.python, POPULATE, { URL: basic.url, ADMIN_USER: BASIC_AUTH_ADMIN.username, ADMIN_PASSWORD: BASIC_AUTH_ADMIN.password, PASSWORDS: JSON.stringify(PASSWORDS) }, 480_000);
    const line = r.stdout.split('\n').find((l) => l.startsWith('IDS='));
    if (!line) throw new Error(`populating basic-auth failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
    ids = JSON.parse(line.slice(4)) as Record<string, string>;
    resources = [
      ...Object.entries(ids).map(([label, id]) => ({ type: 'experiment' as const, id, label })),
      ...['model-alice', 'model-team', 'model-other'].map((n) => ({ type: 'registered_model' as const, id: n, label: n })),
      ...['prompt-alice', 'prompt-other'].map((n) => ({ type: 'prompt' as const, id: n, label: n })),
    ];
    const creds = Object.fromEntries(['alice', 'bob', 'carol'].map((u) => [u, { username: u, password: PASSWORDS[u] }]));
    before = await decisionTable(basic.python, basic.url, creds, resources);
    // An older MLflow's per-resource table, still on disk in 3.17.2's database (not read by its runtime).
    const raw = new Database(basic.authDbPath);
    const bobId = (raw.prepare('select id from users where username = ?').get('bob') as { id: number }).id;
    raw.prepare('insert into experiment_permissions (experiment_id, user_id, permission) values (?, ?, ?)').run('999999', bobId, 'MANAGE');
    raw.close();
    // The gateway in front of a plain MLflow on the same backend store (same experiment ids), on
    // the store the CLI imports into (it notices the CLI's writes to the SQLite file by itself).
    plain = await startMlflow({ dataDir: basic.dataDir, startTimeoutMs: 400_000 });
    stack = await startStack({ upstreamUrl: plain.url, env: { GATEWAY_DATABASE_URL: dbUrl, GATEWAY_DEFAULT_PERMISSION: 'NO_PERMISSIONS' } });
  }, 1_200_000);
  afterAll(async () => {
    await stack?.stop();
    await plain?.stop();
    await basic?.stop();
  });

  it('reports in a dry run and writes nothing', async () => {
    const r = await cli(['--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.mode).toBe('dry-run');
    expect(report.counts).toMatchObject({ users: 4, service_accounts: 1, admins: 1, groups: 0, roles: 1 });
    // The role stays a role (records, assignments); its grants are planned for its placeholder group.
    expect(report.roles).toEqual([expect.objectContaining({ name: 'team-a', becomes: expect.stringContaining('assigned to alice, carol') })]);
    expect(report.grants).toContainEqual(expect.objectContaining({ principal_type: 'user', principal: 'alice', resource_type: 'experiment', resource_id: ids['exp-alice'], level: 'EDIT' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal_type: 'group', principal: 'mlflow-role:default/team-a', resource_type: 'experiment', resource_id: ids['exp-team'], level: 'EDIT' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'bob', resource_id: '999999', level: 'MANAGE', from: expect.stringContaining('experiment_permissions') }));
    // alice's own READ is raised to what MLflow decided (her role's EDIT).
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'alice', resource_id: ids['exp-team'], level: 'EDIT' }));
    expect(report.pattern_rules).toContainEqual(expect.objectContaining({ principal: 'bob', resource_type: 'registered_model', pattern: '*', level: 'READ' }));
    expect(report.unmapped).toContainEqual(expect.objectContaining({ item: expect.stringContaining('scorer') }));
    // DENY is the gateway's DENY (a veto), not NO_PERMISSIONS (which a group grant could lift).
    expect(report.grants).toContainEqual(expect.objectContaining({ principal_type: 'user', principal: 'carol', resource_type: 'registered_model', resource_id: 'model-team', level: 'DENY' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'bob', resource_id: 'model-other', level: 'DENY' }));
    // Prompts on the prompt type; the AI gateway's endpoints, secrets and model definitions on theirs.
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'alice', resource_type: 'prompt', resource_id: 'prompt-alice', level: 'EDIT' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal_type: 'group', principal: 'mlflow-role:default/team-a', resource_type: 'gateway_endpoint', resource_id: 'ep-team', level: 'USE' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'bob', resource_type: 'gateway_secret', resource_id: 'secret-bob', level: 'READ' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'alice', resource_type: 'gateway_model_definition', resource_id: 'md-alice', level: 'USE' }));
    // A scorer DENY cannot be kept for the scorer alone: said so, never widened onto the experiment.
    expect(report.unmapped).toContainEqual(expect.objectContaining({ item: expect.stringContaining('scorer quality'), reason: expect.stringMatching(/^NOT KEPT/) }));
    expect(report.grants.filter((g: { resource_id: string; principal: string }) => g.principal === 'bob' && g.resource_id === ids['exp-bob'])).toEqual([expect.objectContaining({ level: 'READ' })]);
    expect(report.default_permission).toMatchObject({ value: 'NO_PERMISSIONS' });
    expect(report.only_in_old_database).toEqual(expect.arrayContaining(['alice', 'bob', 'carol', 'admin']));
    expect(report.notes.join('\n')).toMatch(/OIDC_ADMIN_GROUPS/);
    expect(report.notes.join('\n')).toMatch(/Passwords are not imported/);
    await withStore(dbUrl, async (store) => expect(await store.users.list()).toEqual([]));
  }, 600_000);

  it('applies in one go, and a second run changes nothing', async () => {
    const first = await cli(['--apply', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const a = JSON.parse(first.stdout).applied;
    expect(a.users_created).toBe(4);
    expect(a.service_accounts_created).toBe(1);
    expect(a.grants_written).toBeGreaterThanOrEqual(8);
    const second = await cli(['--apply', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const b = JSON.parse(second.stdout).applied;
    expect(b).toMatchObject({ users_created: 0, service_accounts_created: 0, grants_written: 0, pattern_rules_written: 0, roles_written: 0 });
    await withStore(dbUrl, async (store) => {
      expect((await store.serviceAccounts.get('ci-bot'))?.user.kind).toBe('service');
      // The role as a role: record, permissions (the mappable ones), assignments, and its grants on its reserved group.
      const [team] = await store.roles.list();
      expect(team).toMatchObject({ name: 'team-a', workspace: 'default', description: 'the team' });
      expect(team!.permissions.map((p) => [p.resourceType, p.resourcePattern, p.permission]).sort()).toEqual([
        ['experiment', ids['exp-team'], 'EDIT'], ['gateway_endpoint', 'ep-team', 'USE'], ['registered_model', 'model-team', 'READ'],
      ]);
      expect((await store.roles.members(team!.id))).toHaveLength(2);
      expect(await store.grants.listForPrincipal('group', `mlflow-role:${team!.id}`)).toHaveLength(3);
      expect(await store.grants.listForPrincipal('group', 'mlflow-role:default/team-a')).toEqual([]);
      const events = await store.audit.list({ limit: 500 });
      expect(events.filter((e) => e.action === 'grant.set').length).toBe(a.grants_written);
    });
  }, 600_000);

  it('gives alice, bob and carol exactly the decisions MLflow basic-auth gave them', async () => {
    const jwt = async (u: string) => ({ token: (await stack.idp.getTokens(u)).access_token });
    const creds = { alice: await jwt('alice'), bob: await jwt('bob'), carol: await jwt('carol') };
    const after = await decisionTable(basic.python, stack.gatewayUrl, creds, resources);
    const rows = Object.keys(before).map((k) => ({ cell: k, before: before[k], after: after[k] }));
    expect(rows.filter((r) => r.before !== r.after), JSON.stringify(rows, null, 1)).toEqual([]);
    // The table is not trivial: both allows and denials, for each of the three.
    for (const u of ['alice', 'bob', 'carol']) {
      expect(rows.some((r) => r.cell.startsWith(u) && r.before === 'allow')).toBe(true);
      expect(rows.some((r) => r.cell.startsWith(u) && r.before === 'deny')).toBe(true);
    }
    // The imported accounts were taken over by the first sign-in, with their grants.
    const alice = await stack.server.gateway.store.users.getByUsername('alice');
    expect(alice?.subjectKey).not.toMatch(/^ahead-of-sign-in/);
  }, 600_000);
});
