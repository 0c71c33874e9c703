// Both importers read PostgreSQL source databases, written there by the real products: MLflow's
// basic-auth server with `database_uri = postgresql+psycopg2://…` (populated through AuthServiceClient) and
// mlflow-oidc-auth with `OIDC_USERS_DB_URI=postgresql+psycopg2://…` (populated through its own store), each
// through SQLAlchemy's psycopg2 driver from the peers' venv (named in the URL: MLflow 3.17.2 reads a bare
// postgresql:// as psycopg 3). `--from` takes the URL as the product's
// configuration holds it (`postgresql+psycopg2://…`). The SQLite twins (import-basic-auth,
// import-mlflow-oidc-auth) check the decisions before and after; this file checks that the same
// kinds of rows come out of PostgreSQL, that --apply writes them once, and a re-run changes nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePeerVenv } from '../../bench/lib/venvs.js';
import { BASIC_AUTH_ADMIN, startBasicAuthServer, type BasicAuthServer } from '../support/basic-auth-server.js';
import { offlineCliEnv, runCli, withStore } from '../support/cli.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { runPythonIn } from '../support/python.js';

const BASIC_POPULATE = String.raw`
import json, os
from mlflow import MlflowClient
from mlflow.server.auth.client import AuthServiceClient
URL = os.environ["URL"]
os.environ["MLFLOW_TRACKING_USERNAME"] = os.environ["ADMIN_USER"]
os.environ["MLFLOW_TRACKING_PASSWORD"] = os.environ["ADMIN_PASSWORD"]
auth = AuthServiceClient(URL)
c = MlflowClient(URL)
for u in ["alice", "bob"]:
    auth.create_user(u, u + "-password-1234567")
exp = c.create_experiment("pg-exp")
c.create_registered_model("pg-model")
auth.grant_user_permission("alice", "experiment", exp, "EDIT")
auth.grant_user_permission("bob", "registered_model", "pg-model", "DENY")
auth.grant_user_permission("alice", "gateway_endpoint", "ep-1", "USE")
role = auth.create_role("default", "readers", "read everything")
auth.add_role_permission(role.id, "registered_model", "*", "READ")
auth.assign_role("bob", role.id)
print("IDS=" + json.dumps({"exp": exp}))
`;

const OIDC_POPULATE = String.raw`
from mlflow_oidc_auth.store import store
for u in ["alice@example.com", "bob@example.com"]:
    store.create_user(u, u.split("@")[0].title())
store.create_user("ci-bot", "CI bot", is_service_account=True)
store.populate_groups(["team-a"])
store.add_user_to_group("alice@example.com", "team-a")
store.create_experiment_permission("1", "alice@example.com", "EDIT")
store.create_group_model_permission("team-a", "pg-model", "READ")
store.create_experiment_regex_permission("^bob-", 1, "EDIT", "bob@example.com")
store.create_gateway_endpoint_permission("ep-chat", "bob@example.com", "USE")
print("POPULATED")
`;

const pg = postgresAvailable();

describe.skipIf(!pg)('importers: PostgreSQL source databases written by the real products', () => {
  let server: PostgresServer;
  let basic: BasicAuthServer;
  let basicDb: string;
  let oidcDb: string;
  let exp: string;
  const work = mkdtempSync(join(tmpdir(), 'gw-import-pg-'));
  /** SQLAlchemy's spelling, as the products' configuration holds it. */
  const sqlalchemy = (url: string, driver = '') => url.replace(/^postgres:/, `postgresql${driver}:`);

  beforeAll(async () => {
    const venv = ensurePeerVenv();
    server = await startPostgres();
    [basicDb, oidcDb] = await Promise.all([server.createDatabase('basic_auth'), server.createDatabase('oidc_auth')]);
    basic = await startBasicAuthServer({ databaseUri: sqlalchemy(basicDb, '+psycopg2'), defaultPermission: 'NO_PERMISSIONS' });
    const r = await runPythonIn(basic.python, BASIC_POPULATE, { URL: basic.url, ADMIN_USER: BASIC_AUTH_ADMIN.username, ADMIN_PASSWORD: BASIC_AUTH_ADMIN.password }, 480_000);
    const line = r.stdout.split('\n').find((l) => l.startsWith('IDS='));
    if (!line) throw new Error(`populating basic-auth failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
    exp = (JSON.parse(line.slice(4)) as { exp: string }).exp;
    const o = await runPythonIn(join(venv, 'bin/python'), OIDC_POPULATE, {
      OIDC_USERS_DB_URI: sqlalchemy(oidcDb, '+psycopg2'), SECRET_KEY: 'test-oidc-auth-secret-key-0123456789', OIDC_DISCOVERY_URL: 'http://127.0.0.1:9/.well-known/openid-configuration',
      OIDC_CLIENT_ID: 'unused', OIDC_CLIENT_SECRET: 'unused', OIDC_REDIRECT_URI: 'http://127.0.0.1/test-callback',
    }, 480_000);
    if (!o.stdout.includes('POPULATED')) throw new Error(`populating mlflow-oidc-auth failed (exit ${o.code}):\n${o.stderr.slice(-3000)}`);
  }, 1_200_000);
  afterAll(async () => {
    await basic?.stop();
    await server?.stop();
  });

  it('import basic-auth --from postgresql+psycopg2://…: users, DENY, roles, AI-gateway grants; applied once', async () => {
    const dbUrl = `sqlite:${join(work, 'gateway-basic.db')}`;
    const cli = (args: string[]) => runCli(['import', 'basic-auth', '--from', sqlalchemy(basicDb, '+psycopg2'), '--json', ...args], offlineCliEnv(dbUrl));
    const dry = await cli([]);
    expect(dry.code, dry.stderr).toBe(0);
    const report = JSON.parse(dry.stdout);
    expect(report.counts).toMatchObject({ users: 3, admins: 1, roles: 1, groups: 0 });
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'alice', resource_type: 'experiment', resource_id: exp, level: 'EDIT' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'bob', resource_type: 'registered_model', resource_id: 'pg-model', level: 'DENY' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'alice', resource_type: 'gateway_endpoint', resource_id: 'ep-1', level: 'USE' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'admin', resource_type: 'experiment', resource_id: exp, level: 'MANAGE' }));
    // The role stays a role: its rule is planned for its placeholder, written to mlflow-role:<id>.
    expect(report.pattern_rules).toContainEqual(expect.objectContaining({ principal_type: 'group', principal: 'mlflow-role:default/readers', resource_type: 'registered_model', pattern: '*', level: 'READ' }));
    expect(report.roles).toEqual([expect.objectContaining({ name: 'readers', workspace: 'default', becomes: expect.stringContaining('assigned to bob') })]);
    const first = await cli(['--apply']);
    expect(first.code, first.stderr).toBe(0);
    // Five grants: the three above and MLflow's own MANAGE for the creator (admin) of the experiment and the model.
    expect(JSON.parse(first.stdout).applied).toMatchObject({ users_created: 3, grants_written: 5, pattern_rules_written: 1 });
    const second = await cli(['--apply']);
    expect(JSON.parse(second.stdout).applied).toMatchObject({ users_created: 0, grants_written: 0, pattern_rules_written: 0, roles_written: 0 });
    await withStore(dbUrl, async (store) => {
      const bob = (await store.users.getByUsername('bob'))!;
      const [readers] = await store.roles.list();
      expect(readers).toMatchObject({ name: 'readers', description: 'read everything', permissions: [expect.objectContaining({ resourceType: 'registered_model', resourcePattern: '*', permission: 'READ' })] });
      expect(bob.groups).toContain(`mlflow-role:${readers!.id}`);
      expect(await store.grants.listForPrincipal('user', bob.id)).toEqual([expect.objectContaining({ resourceType: 'registered_model', resourceId: 'pg-model', level: 'DENY' })]);
    });
  }, 600_000);

  it('import mlflow-oidc-auth --from postgresql://…: users, groups, grants, regex and by-name rules; applied once', async () => {
    const dbUrl = `sqlite:${join(work, 'gateway-oidc.db')}`;
    const cli = (args: string[]) => runCli(['import', 'mlflow-oidc-auth', '--from', sqlalchemy(oidcDb), '--json', ...args], offlineCliEnv(dbUrl));
    const dry = await cli([]);
    expect(dry.code, dry.stderr).toBe(0);
    const report = JSON.parse(dry.stdout);
    expect(report.counts).toMatchObject({ users: 2, service_accounts: 1 });
    expect(report.groups).toContainEqual({ name: 'team-a', members: ['alice@example.com'] });
    expect(report.grants).toContainEqual(expect.objectContaining({ principal: 'alice@example.com', resource_type: 'experiment', resource_id: '1', level: 'EDIT' }));
    expect(report.grants).toContainEqual(expect.objectContaining({ principal_type: 'group', principal: 'team-a', resource_type: 'registered_model', resource_id: 'pg-model', level: 'READ' }));
    expect(report.pattern_rules).toContainEqual(expect.objectContaining({ principal: 'bob@example.com', resource_type: 'experiment', matcher: 'regex', pattern: '(?:^bob-).*', priority: 1 }));
    expect(report.pattern_rules).toContainEqual(expect.objectContaining({ principal: 'bob@example.com', resource_type: 'gateway_endpoint', matcher: 'glob', pattern: 'ep-chat', level: 'USE' }));
    const first = await cli(['--apply']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).applied).toMatchObject({ users_created: 2, service_accounts_created: 1 });
    const second = await cli(['--apply']);
    expect(JSON.parse(second.stdout).applied).toMatchObject({ users_created: 0, service_accounts_created: 0, grants_written: 0, pattern_rules_written: 0 });
  }, 600_000);
});
