// What an MLflow role does on the gateway, seen with the stock MLflow client: a member of a role
// with READ on experiment X reads X and not Y; after unassign, not X either. Deleting a role takes
// its grants and its members' reserved group with it, in one transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authApi } from '../support/auth-api.js';
import { callerFor, unique } from '../support/mlflow-api.js';
import { runPython } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';

const READ_BOTH = String.raw`
import json, os
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
client = MlflowClient(os.environ["URL"])
out = {}
for key in ("X", "Y"):
    try:
        out[key] = client.get_experiment(os.environ[key]).name
    except MlflowException as e:
        out[key] = e.error_code
print("RESULT=" + json.dumps(out))
`;

describe('MLflow roles decide like groups: the stock client through the gateway', () => {
  let stack: Stack;
  let admin: string;
  let x: string;
  let y: string;
  let roleId: number;
  beforeAll(async () => {
    stack = await startStack();
    admin = (await stack.idp.getTokens('admin')).access_token;
    const mlflow = await callerFor(stack, 'admin');
    x = (await mlflow.post('experiments/create', { name: unique('role-x') })).json.experiment_id as string;
    y = (await mlflow.post('experiments/create', { name: unique('role-y') })).json.experiment_id as string;
    roleId = (await authApi(stack, admin, 'POST', 'roles/create', { workspace: 'default', name: unique('x-readers') })).json.role.id as number;
    expect((await authApi(stack, admin, 'POST', 'roles/permissions/add', { role_id: roleId, resource_type: 'experiment', resource_pattern: x, permission: 'READ' })).status).toBe(200);
    await callerFor(stack, 'bob').then((bob) => bob.get('experiments/search', { max_results: '1' })); // bob's account exists
  }, 120_000);
  afterAll(async () => stack?.stop());

  const asBob = async () => {
    const { access_token } = await stack.idp.getTokens('bob');
    const r = await runPython(READ_BOTH, { URL: stack.gatewayUrl, MLFLOW_TRACKING_TOKEN: access_token, X: x, Y: y });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT='));
    if (!line) throw new Error(r.stderr.slice(-2000));
    return JSON.parse(line.slice('RESULT='.length)) as { X: string; Y: string };
  };

  it('a member reads X and not Y; after unassign, not X', async () => {
    expect(await asBob()).toEqual({ X: 'PERMISSION_DENIED', Y: 'PERMISSION_DENIED' });
    expect((await authApi(stack, admin, 'POST', 'roles/assign', { username: 'bob', role_id: roleId })).status).toBe(200);
    const member = await asBob();
    expect(member.X).toMatch(/^role-x/);
    expect(member.Y).toBe('PERMISSION_DENIED');
    expect((await authApi(stack, admin, 'DELETE', 'roles/unassign', { username: 'bob', role_id: roleId })).status).toBe(200);
    expect(await asBob()).toEqual({ X: 'PERMISSION_DENIED', Y: 'PERMISSION_DENIED' });
  }, 120_000);

  it('deleting a role removes its grants, rules and memberships at once, audited', async () => {
    const store = stack.server.gateway.store;
    const role = (await authApi(stack, admin, 'POST', 'roles/create', { workspace: 'default', name: unique('doomed') })).json.role.id as number;
    await authApi(stack, admin, 'POST', 'roles/permissions/add', { role_id: role, resource_type: 'experiment', resource_pattern: y, permission: 'EDIT' });
    await authApi(stack, admin, 'POST', 'roles/permissions/add', { role_id: role, resource_type: 'registered_model', resource_pattern: '*', permission: 'READ' });
    await authApi(stack, admin, 'POST', 'roles/assign', { username: 'bob', role_id: role });
    expect(await store.grants.listForPrincipal('group', `mlflow-role:${role}`)).toHaveLength(1);
    expect((await store.grants.listPatterns()).filter((r) => r.principal === `mlflow-role:${role}`)).toHaveLength(1);
    expect((await asBob()).Y).toMatch(/^role-y/);
    expect((await authApi(stack, admin, 'DELETE', 'roles/delete', { role_id: role })).status).toBe(200);
    expect(await store.grants.listForPrincipal('group', `mlflow-role:${role}`)).toEqual([]);
    expect((await store.grants.listPatterns()).filter((r) => r.principal === `mlflow-role:${role}`)).toEqual([]);
    expect((await store.users.getByUsername('bob'))!.groups).not.toContain(`mlflow-role:${role}`);
    expect((await asBob()).Y).toBe('PERMISSION_DENIED');
    const actions = (await store.audit.list({ limit: 50, actor: 'admin' })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['role.create', 'role.permission.add', 'role.assign', 'role.delete', 'grant.set', 'grant.delete', 'pattern.add', 'pattern.delete']));
  }, 120_000);

  it("users/list answers each user's roles (read for all users at once), as MLflow's list_users", async () => {
    const role = (await authApi(stack, admin, 'POST', 'roles/create', { workspace: 'default', name: unique('listed') })).json.role.id as number;
    await authApi(stack, admin, 'POST', 'roles/permissions/add', { role_id: role, resource_type: 'experiment', resource_pattern: '*', permission: 'READ' });
    await authApi(stack, admin, 'POST', 'roles/assign', { username: 'bob', role_id: role });
    try {
      const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/users/list`, { headers: { authorization: `Bearer ${admin}` } });
      expect(res.status).toBe(200);
      const users = ((await res.json()) as { users: { username: string; roles: { id: number; permissions: { permission: string }[] }[] }[] }).users;
      const bob = users.find((u) => u.username === 'bob')!;
      expect(bob.roles.find((r) => r.id === role)).toMatchObject({ id: role, permissions: [{ permission: 'READ' }] });
      expect(users.find((u) => u.username === 'admin')!.roles.some((r) => r.id === role)).toBe(false);
    } finally {
      await authApi(stack, admin, 'DELETE', 'roles/delete', { role_id: role });
    }
  });

  it('a permission the gateway cannot map is refused and leaves no record behind', async () => {
    const role = (await authApi(stack, admin, 'POST', 'roles/create', { workspace: 'default', name: unique('runs') })).json.role.id as number;
    const refused = await authApi(stack, admin, 'POST', 'roles/permissions/add', { role_id: role, resource_type: 'run', resource_pattern: '*', permission: 'READ' });
    expect(refused).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(refused.json.message).toMatch(/parent/);
    expect((await authApi(stack, admin, 'GET', 'roles/permissions/list', { role_id: role })).json.role_permissions).toEqual([]);
  });
});
