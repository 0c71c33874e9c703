// MLflow's own AuthServiceClient (the pinned MLflow, unmodified) calls every method against the
// gateway and against a real `mlflow server --app-name basic-auth`; the answers (result shapes,
// error codes, HTTP statuses) must be the same, except the documented differences below
// (docs/migration.md, "MLflow's auth API on the gateway").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPythonIn } from '../support/python.js';
import { BASIC_AUTH_ADMIN, startBasicAuthServer, type BasicAuthServer } from '../support/basic-auth-server.js';
import { callerFor, unique } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

const SCRIPT = String.raw`
import json, os, mlflow, requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.server.auth.client import AuthServiceClient

URL = os.environ["URL"]
CREDS = json.loads(os.environ["CREDS"])
EXP, MODEL = os.environ["EXP"], os.environ["MODEL"]
auth = AuthServiceClient(URL)
out = []

def as_(who):
    for k in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        os.environ.pop(k, None)
    c = CREDS[who]
    if "token" in c:
        os.environ["MLFLOW_TRACKING_TOKEN"] = c["token"]
    else:
        os.environ["MLFLOW_TRACKING_USERNAME"] = c["username"]
        os.environ["MLFLOW_TRACKING_PASSWORD"] = c["password"]

ROLE_NAMES = {}  # role id -> name, on either server (ids differ: MLflow's count its per-user roles)
USER_NAMES = {}  # user id -> username

def pattern(p):
    # The experiment's id differs between the two servers (the gateway's MLflow is shared by every
    # test file): compare it as the experiment this script created.
    return "<the script's experiment>" if p == globals().get("exp") else p

def norm(r):
    if r is None or r == {}:
        return None
    if isinstance(r, list):
        # MLflow 3.17.2 keeps users/permissions grants in synthetic per-user roles __user_<id>__ and
        # lists them with the others; the gateway keeps them as user grants (documented difference).
        items = [norm(x) for x in r if not str(getattr(x, "name", "")).startswith("__user_")]
        return sorted(items, key=json.dumps)
    if hasattr(r, "workspace") and hasattr(r, "permissions"):
        ROLE_NAMES[r.id] = r.name
        return {"role": r.name, "workspace": r.workspace, "description": r.description, "permissions": sorted([[p.resource_type, pattern(p.resource_pattern), p.permission] for p in r.permissions])}
    if hasattr(r, "resource_pattern"):
        return {"role": ROLE_NAMES.get(r.role_id), "permission": [r.resource_type, pattern(r.resource_pattern), r.permission]}
    if hasattr(r, "user_id") and hasattr(r, "role_id"):
        return {"user": USER_NAMES.get(r.user_id), "role": ROLE_NAMES.get(r.role_id)}
    if hasattr(r, "allowed"):
        return {"allowed": r.allowed, "permission": r.permission}
    if hasattr(r, "username"):
        USER_NAMES[r.id] = r.username
        return {"username": r.username, "is_admin": r.is_admin}
    return repr(type(r))

def step(label, who, fn):
    as_(who)
    try:
        out.append({"step": label, "ok": True, "result": norm(fn())})
    except MlflowException as e:
        out.append({"step": label, "ok": False, "error_code": e.error_code, "status": e.get_http_status_code(), "message": str(e.message)[:400]})

as_("admin")
client = MlflowClient(URL)
exp = client.create_experiment(EXP)
client.create_registered_model(MODEL)

step("create alice", "admin", lambda: auth.create_user("alice", "alice-password-1234567"))
step("create alice again", "admin", lambda: auth.create_user("alice", "alice-password-1234567"))
step("create bob", "admin", lambda: auth.create_user("bob", "bob-password-1234567"))
step("create user with empty password", "admin", lambda: auth.create_user("nopass", ""))
step("admin gets alice", "admin", lambda: auth.get_user("alice"))
step("admin gets unknown user", "admin", lambda: auth.get_user("nobody-here"))
step("alice gets herself", "alice", lambda: auth.get_user("alice"))
step("alice gets bob", "alice", lambda: auth.get_user("bob"))
step("alice creates a user", "alice", lambda: auth.create_user("mallory", "mallory-password-1234567"))
step("grant alice EDIT on the experiment", "admin", lambda: auth.grant_user_permission("alice", "experiment", exp, "EDIT"))
step("grant it again", "admin", lambda: auth.grant_user_permission("alice", "experiment", exp, "EDIT"))
step("admin reads alice's permission", "admin", lambda: auth.get_user_permission("alice", "experiment", exp))
step("admin reads bob's permission (default)", "admin", lambda: auth.get_user_permission("bob", "experiment", exp))
step("alice reads her permission", "alice", lambda: auth.get_user_permission("alice", "experiment", exp))
step("alice reads bob's permission", "alice", lambda: auth.get_user_permission("bob", "experiment", exp))
step("alice (EDIT) grants bob", "alice", lambda: auth.grant_user_permission("bob", "experiment", exp, "READ"))
step("grant alice MANAGE on the model", "admin", lambda: auth.grant_user_permission("alice", "registered_model", MODEL, "MANAGE"))
step("alice (MANAGE) grants bob READ on the model", "alice", lambda: auth.grant_user_permission("bob", "registered_model", MODEL, "READ"))
step("bob reads his model permission", "bob", lambda: auth.get_user_permission("bob", "registered_model", MODEL))
step("alice (MANAGE) revokes bob on the model", "alice", lambda: auth.revoke_user_permission("bob", "registered_model", MODEL))
step("bob reads his model permission again", "bob", lambda: auth.get_user_permission("bob", "registered_model", MODEL))
step("bob (READ) grants himself MANAGE", "bob", lambda: auth.grant_user_permission("bob", "experiment", exp, "MANAGE"))
step("unknown permission", "admin", lambda: auth.grant_user_permission("alice", "experiment", exp, "SUPER"))
step("unknown resource type", "admin", lambda: auth.grant_user_permission("alice", "widget", exp, "READ"))
step("workspace resource type", "admin", lambda: auth.grant_user_permission("alice", "workspace", "*", "USE"))
step("grant to an unknown user", "admin", lambda: auth.grant_user_permission("nobody-here", "experiment", exp, "READ"))
step("revoke alice on the experiment", "admin", lambda: auth.revoke_user_permission("alice", "experiment", exp))
step("revoke it again", "admin", lambda: auth.revoke_user_permission("alice", "experiment", exp))
step("alice's permission after revoke", "admin", lambda: auth.get_user_permission("alice", "experiment", exp))
step("wildcard grant to bob on every model", "admin", lambda: auth.grant_user_permission("bob", "registered_model", "*", "EDIT"))
step("bob's wildcard permission", "admin", lambda: auth.get_user_permission("bob", "registered_model", "*"))
step("alice (not admin) grants a wildcard", "alice", lambda: auth.grant_user_permission("alice", "experiment", "*", "MANAGE"))
step("bob changes his admin flag", "bob", lambda: auth.update_user_admin("bob", True))
step("admin sets bob's password", "admin", lambda: auth.update_user_password("bob", "bob-password-7654321"))
step("admin makes bob an admin", "admin", lambda: auth.update_user_admin("bob", True))
step("create carol", "admin", lambda: auth.create_user("carol", "carol-password-1234567"))
step("admin gets carol", "admin", lambda: auth.get_user("carol"))
# Ids each server gave (they differ), by label; 999999 (unknown) when the call failed.
ROLE, PERM = {}, {}
def keep(ids, name, fn):
    r = fn()
    ids[name] = r.id
    return r
created = lambda name, fn: keep(ROLE, name, fn)
added = lambda name, fn: keep(PERM, name, fn)
rid = lambda name: ROLE.get(name, 999999)
pid = lambda name: PERM.get(name, 999999)
step("admin creates role readers", "admin", lambda: created("readers", lambda: auth.create_role("default", "readers", "read the experiment")))
step("admin creates role readers again", "admin", lambda: auth.create_role("default", "readers"))
step("admin creates a role with the reserved prefix", "admin", lambda: auth.create_role("default", "__user_9__"))
step("admin creates role editors", "admin", lambda: created("editors", lambda: auth.create_role("default", "editors")))
step("alice creates a role", "alice", lambda: auth.create_role("default", "mine"))
step("admin gets readers", "admin", lambda: auth.get_role(rid("readers")))
step("admin gets an unknown role", "admin", lambda: auth.get_role(999999))
step("carol (no role) gets readers", "carol", lambda: auth.get_role(rid("readers")))
step("readers get READ on the experiment", "admin", lambda: added("exp", lambda: auth.add_role_permission(rid("readers"), "experiment", exp, "READ")))
step("readers get it again", "admin", lambda: auth.add_role_permission(rid("readers"), "experiment", exp, "READ"))
step("editors get EDIT on every model", "admin", lambda: added("models", lambda: auth.add_role_permission(rid("editors"), "registered_model", "*", "EDIT")))
step("a role permission with an unknown permission", "admin", lambda: auth.add_role_permission(rid("readers"), "experiment", exp, "SUPER"))
step("a role permission of NO_PERMISSIONS", "admin", lambda: auth.add_role_permission(rid("readers"), "experiment", exp, "NO_PERMISSIONS"))
step("a role permission of an unknown type", "admin", lambda: auth.add_role_permission(rid("readers"), "widget", exp, "READ"))
step("a run permission naming one run", "admin", lambda: auth.add_role_permission(rid("readers"), "run", "abc", "READ"))
step("a workspace permission of READ", "admin", lambda: auth.add_role_permission(rid("readers"), "workspace", "*", "READ"))
step("a permission for an unknown role", "admin", lambda: auth.add_role_permission(999999, "experiment", exp, "READ"))
step("alice adds a role permission", "alice", lambda: auth.add_role_permission(rid("readers"), "experiment", exp, "MANAGE"))
step("admin lists readers' permissions", "admin", lambda: auth.list_role_permissions(rid("readers")))
step("admin lists an unknown role's permissions", "admin", lambda: auth.list_role_permissions(999999))
step("editors' model permission becomes MANAGE", "admin", lambda: auth.update_role_permission(pid("models"), "MANAGE"))
step("an unknown role permission is updated", "admin", lambda: auth.update_role_permission(999999, "READ"))
step("a role permission becomes NO_PERMISSIONS", "admin", lambda: auth.update_role_permission(pid("models"), "NO_PERMISSIONS"))
step("alice updates a role permission", "alice", lambda: auth.update_role_permission(pid("models"), "READ"))
step("admin renames editors", "admin", lambda: auth.update_role(rid("editors"), name="model-editors", description="edit every model"))
step("admin renames editors to readers", "admin", lambda: auth.update_role(rid("editors"), name="readers"))
step("admin renames editors to the reserved prefix", "admin", lambda: auth.update_role(rid("editors"), name="__user_1__"))
step("admin updates a role with nothing", "admin", lambda: auth.update_role(rid("editors")))
step("admin updates an unknown role", "admin", lambda: auth.update_role(999999, description="x"))
step("carol gets readers", "admin", lambda: auth.assign_role("carol", rid("readers")))
step("carol gets readers again", "admin", lambda: auth.assign_role("carol", rid("readers")))
step("an unknown user gets readers", "admin", lambda: auth.assign_role("nobody-here", rid("readers")))
step("carol gets an unknown role", "admin", lambda: auth.assign_role("carol", 999999))
step("carol assigns herself editors", "carol", lambda: auth.assign_role("carol", rid("editors")))
step("carol (member) gets readers", "carol", lambda: auth.get_role(rid("readers")))
step("carol (member) lists readers' permissions", "carol", lambda: auth.list_role_permissions(rid("readers")))
step("carol lists the roles of her workspace", "carol", lambda: auth.list_roles("default"))
step("carol lists every role", "carol", lambda: auth.list_all_roles())
step("carol lists her roles", "carol", lambda: auth.list_user_roles("carol"))
step("carol lists alice's roles", "carol", lambda: auth.list_user_roles("alice"))
step("admin lists carol's roles", "admin", lambda: auth.list_user_roles("carol"))
step("admin lists an unknown user's roles", "admin", lambda: auth.list_user_roles("nobody-here"))
step("admin lists readers' members", "admin", lambda: auth.list_role_users(rid("readers")))
step("admin lists an unknown role's members", "admin", lambda: auth.list_role_users(999999))
step("carol lists readers' members", "carol", lambda: auth.list_role_users(rid("readers")))
step("admin lists the roles of default", "admin", lambda: auth.list_roles("default"))
step("admin lists every role", "admin", lambda: auth.list_all_roles())
step("carol's permission through readers", "admin", lambda: auth.get_user_permission("carol", "experiment", exp))
step("readers lose READ on the experiment", "admin", lambda: auth.remove_role_permission(pid("exp")))
step("readers lose it again", "admin", lambda: auth.remove_role_permission(pid("exp")))
step("carol loses readers", "admin", lambda: auth.unassign_role("carol", rid("readers")))
step("carol loses readers again", "admin", lambda: auth.unassign_role("carol", rid("readers")))
step("an unknown user loses readers", "admin", lambda: auth.unassign_role("nobody-here", rid("readers")))
step("carol deletes readers", "carol", lambda: auth.delete_role(rid("readers")))
step("admin deletes editors (with its permission)", "admin", lambda: auth.delete_role(rid("editors")))
step("admin gets the deleted role", "admin", lambda: auth.get_role(rid("editors")))
step("admin deletes it again", "admin", lambda: auth.delete_role(rid("editors")))
step("admin deletes readers", "admin", lambda: auth.delete_role(rid("readers")))
step("alice deletes bob", "alice", lambda: auth.delete_user("bob"))
step("admin deletes himself", "admin", lambda: auth.delete_user("admin"))
step("admin deletes bob", "admin", lambda: auth.delete_user("bob"))
step("admin deletes an unknown user", "admin", lambda: auth.delete_user("nobody-here"))

as_("alice")
from mlflow.utils.credentials import get_default_host_creds
from mlflow.utils.rest_utils import http_request
r = http_request(get_default_host_creds(URL), "/api/2.0/mlflow/users/current", "GET")
out.append({"step": "users/current for alice", "ok": r.status_code == 200, "result": {k: v for k, v in r.json().items() if k != "user"} | {"user": {"username": r.json()["user"]["username"], "is_admin": r.json()["user"]["is_admin"]}}})
r = http_request(get_default_host_creds(URL), "/ajax-api/2.0/mlflow/users/current", "GET")
out.append({"step": "ajax users/current for alice", "ok": r.status_code == 200, "result": r.json()["user"]["username"]})
print("RESULT=" + json.dumps(out))
`;

interface StepResult {
  step: string;
  ok: boolean;
  result?: unknown;
  error_code?: string;
  status?: number;
  message?: string;
}

/** Where the gateway answers differently on purpose: the step, and what it answers instead. */
const KNOWN_DIFFERENCES: Record<string, Partial<StepResult>> = {
  // Passwords never become a way to sign in on the gateway; the message says what to use instead.
  "admin sets bob's password": { ok: false, error_code: 'INVALID_PARAMETER_VALUE', status: 400 },
  // The admin flag is group membership at the IdP (OIDC_ADMIN_GROUPS), not a stored per-user flag.
  "admin makes bob an admin": { ok: false, error_code: 'INVALID_PARAMETER_VALUE', status: 400 },
  // MLflow's UI hides its Basic-only affordances (logout trick, password change) when false.
  'users/current for alice': { ok: true, result: { is_basic_auth: false, user: { username: 'alice', is_admin: false } } },
};

async function run(python: string, url: string, creds: Record<string, unknown>, exp: string, model: string): Promise<StepResult[]> {
  const r = await runPythonIn(python, SCRIPT, { URL: url, CREDS: JSON.stringify(creds), EXP: exp, MODEL: model }, 480_000);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT='));
  if (!line) throw new Error(`script failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line.slice('RESULT='.length)) as StepResult[];
}

const comparable = (s: StepResult) => (s.ok ? { ok: true, result: s.result } : { ok: false, error_code: s.error_code, status: s.status });

describe("MLflow's AuthServiceClient: the gateway answers like MLflow basic-auth", () => {
  let stack: Stack;
  let basic: BasicAuthServer;
  let onGateway: StepResult[];
  let onBasicAuth: StepResult[];
  let adminBasic: string;

  beforeAll(async () => {
    [stack, basic] = await Promise.all([startStack({ env: { GATEWAY_DEFAULT_PERMISSION: 'READ' } }), startBasicAuthServer({ defaultPermission: 'READ' })]);
    // The administrator calls with a personal access token as the Basic password (MLFLOW_TRACKING_PASSWORD),
    // alice and bob with their IdP tokens: both ways AuthServiceClient can reach the gateway.
    const admin = await callerFor(stack, 'admin');
    await admin.get('experiments/search', { max_results: '1' });
    const adminUser = (await stack.server.gateway.store.users.getByUsername('admin'))!;
    const { token: pat } = await stack.server.gateway.tokens.create(adminUser, { name: 'auth-api-test' }, { username: 'admin', requestId: null, clientIp: null });
    const jwt = async (u: string) => ({ token: (await stack.idp.getTokens(u)).access_token });
    adminBasic = `Basic ${Buffer.from(`admin:${pat}`).toString('base64')}`;
    const gwCreds = { admin: { username: 'admin', password: pat }, alice: await jwt('alice'), bob: await jwt('bob'), carol: await jwt('carol') };
    const basicCreds = {
      admin: BASIC_AUTH_ADMIN, alice: { username: 'alice', password: 'alice-password-1234567' }, bob: { username: 'bob', password: 'bob-password-1234567' },
      carol: { username: 'carol', password: 'carol-password-1234567' },
    };
    const exp = unique('auth-api-exp');
    const model = unique('auth-api-model');
    [onGateway, onBasicAuth] = await Promise.all([run(basic.python, stack.gatewayUrl, gwCreds, exp, model), run(basic.python, basic.url, basicCreds, exp, model)]);
  }, 600_000);
  afterAll(async () => {
    await Promise.all([stack?.stop(), basic?.stop()]);
  });

  it('calls every method on both servers', () => {
    expect(onGateway.map((s) => s.step)).toEqual(onBasicAuth.map((s) => s.step));
    expect(onGateway.length).toBeGreaterThan(40);
  });

  it('gives the same results and error codes, except the documented differences', () => {
    const table = onGateway.map((g, i) => ({ step: g.step, gateway: comparable(g), basicAuth: comparable(onBasicAuth[i]!) }));
    const unexpected = table.filter((row) => !(row.step in KNOWN_DIFFERENCES) && JSON.stringify(row.gateway) !== JSON.stringify(row.basicAuth));
    const same = table.filter((row) => JSON.stringify(row.gateway) === JSON.stringify(row.basicAuth)).length;
    console.info(`AuthServiceClient comparison: ${table.length} calls, ${same} identical, ${Object.keys(KNOWN_DIFFERENCES).length} documented differences`);
    expect(unexpected, JSON.stringify(table, null, 1)).toEqual([]);
    for (const [step, expected] of Object.entries(KNOWN_DIFFERENCES)) {
      const g = onGateway.find((s) => s.step === step)!;
      expect(g, step).toMatchObject(expected);
    }
  });

  it('serves roles: created, given permissions, assigned, read by members and administrators, deleted', () => {
    const at = (step: string) => onGateway.find((s) => s.step === step)!;
    expect(at('admin creates role readers')).toMatchObject({ ok: true, result: { role: 'readers', workspace: 'default', description: 'read the experiment', permissions: [] } });
    expect(at('admin creates role readers again')).toMatchObject({ ok: false, error_code: 'RESOURCE_ALREADY_EXISTS' });
    expect(at('carol (no role) gets readers')).toMatchObject({ ok: false, error_code: 'PERMISSION_DENIED', status: 403 });
    expect(at('carol (member) gets readers')).toMatchObject({ ok: true, result: { role: 'readers', permissions: [['experiment', expect.any(String), 'READ']] } });
    expect(at('admin lists readers\' members')).toMatchObject({ ok: true, result: [{ user: 'carol', role: 'readers' }] });
    expect(at('admin renames editors')).toMatchObject({ ok: true, result: { role: 'model-editors', permissions: [['registered_model', '*', 'MANAGE']] } });
    expect(at('admin gets the deleted role')).toMatchObject({ ok: false, error_code: 'RESOURCE_DOES_NOT_EXIST', status: 404 });
  });

  it('says that a created user has no password and how to get in instead', () => {
    const refused = onGateway.find((s) => s.step === "admin sets bob's password")!;
    expect(refused.message).toMatch(/personal access token/);
    const adminFlag = onGateway.find((s) => s.step === 'admin makes bob an admin')!;
    expect(adminFlag.message).toMatch(/OIDC_ADMIN_GROUPS/);
  });

  // MLflow 3.14 removed these; 2.x–3.13 scripts call them. Shapes and codes as MLflow 2.x answered.
  it('serves the 2.x per-resource permission endpoints with their shapes and error codes', async () => {
    const call = async (method: string, path: string, body?: unknown, query?: Record<string, string>) => {
      const r = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/${path}${query ? `?${new URLSearchParams(query)}` : ''}`, {
        method, headers: { authorization: adminBasic, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, json: (await r.json()) as Record<string, any> };
    };
    const exp = await call('POST', 'experiments/create', { name: unique('legacy-exp') });
    const experiment_id = exp.json.experiment_id as string;
    const created = await call('POST', 'experiments/permissions/create', { experiment_id, username: 'alice', permission: 'READ' });
    expect(created).toMatchObject({ status: 200, json: { experiment_permission: { experiment_id, permission: 'READ', user_id: expect.any(String) } } });
    expect((await call('POST', 'experiments/permissions/create', { experiment_id, username: 'alice', permission: 'READ' })).json.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect((await call('GET', 'experiments/permissions/get', undefined, { experiment_id, username: 'alice' })).json).toMatchObject({ experiment_permission: { permission: 'READ' } });
    expect((await call('PATCH', 'experiments/permissions/update', { experiment_id, username: 'alice', permission: 'EDIT' })).status).toBe(200);
    expect((await call('GET', 'experiments/permissions/get', undefined, { experiment_id, username: 'alice' })).json.experiment_permission.permission).toBe('EDIT');
    expect((await call('DELETE', 'experiments/permissions/delete', { experiment_id, username: 'alice' })).status).toBe(200);
    const gone = await call('GET', 'experiments/permissions/get', undefined, { experiment_id, username: 'alice' });
    expect(gone).toMatchObject({ status: 404, json: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect((await call('POST', 'experiments/permissions/create', { experiment_id, username: 'alice', permission: 'ROOT' })).json.error_code).toBe('INVALID_PARAMETER_VALUE');
    const model = unique('legacy-model');
    await call('POST', 'registered-models/create', { name: model });
    expect((await call('POST', 'registered-models/permissions/create', { name: model, username: 'alice', permission: 'MANAGE' })).json)
      .toMatchObject({ registered_model_permission: { name: model, permission: 'MANAGE' } });
    expect((await call('DELETE', 'registered-models/permissions/delete', { name: model, username: 'alice' })).status).toBe(200);
    expect((await call('PATCH', 'registered-models/permissions/update', { name: model, username: 'alice', permission: 'READ' })).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  }, 300_000);

  it('audits every grant change made through the MLflow auth API', async () => {
    const events = await stack.server.gateway.store.audit.list({ limit: 200, actor: 'admin' });
    const actions = events.map((e) => e.action);
    expect(actions).toContain('user.create');
    expect(actions).toContain('grant.set');
    expect(actions).toContain('grant.delete');
    expect(actions).toContain('pattern.add');
    const byAlice = await stack.server.gateway.store.audit.list({ limit: 50, actor: 'alice' });
    expect(byAlice.some((e) => e.action === 'grant.set' && e.decision === 'deny')).toBe(true);
  });
});
