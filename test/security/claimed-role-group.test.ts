// The attack: an MLflow role's permissions are grants of the reserved group `mlflow-role:<id>`, so
// whoever can name a group at the identity provider or through SCIM would like to call one
// `mlflow-role:1` and get the role. The gateway drops such groups wherever groups are written;
// only a role assignment puts the reserved group among a user's groups. Nor can the admin API write
// grants for that group behind the role's back (roles/permissions/list must tell all it gives).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { authApi } from '../support/auth-api.js';
import { callerFor, unique } from '../support/mlflow-api.js';
import { scim, scimToken } from '../support/scim.js';
import { startStack, type Stack } from '../support/stack.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('a group named after a role (IdP claim or SCIM) gives nothing', () => {
  let stack: Stack;
  let admin: string;
  let roleId: number;
  let experimentId: string;
  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_SCIM_GROUP_SOURCE: 'both', GATEWAY_SCIM_LINK_BY: 'userName' } });
    admin = (await stack.idp.getTokens('admin')).access_token;
    experimentId = (await (await callerFor(stack, 'admin')).post('experiments/create', { name: unique('role-secret') })).json.experiment_id as string;
    const role = await authApi(stack, admin, 'POST', 'roles/create', { workspace: 'default', name: unique('secret-readers') });
    roleId = role.json.role.id as number;
    expect((await authApi(stack, admin, 'POST', 'roles/permissions/add', { role_id: roleId, resource_type: 'experiment', resource_pattern: experimentId, permission: 'READ' })).status).toBe(200);
  }, 120_000);
  afterAll(async () => stack?.stop());

  const reads = async (username: string) => (await (await callerFor(stack, username)).get('experiments/get', { experiment_id: experimentId })).status;

  it('an assigned member reads the experiment (the control: the role itself works)', async () => {
    await reads('alice'); // signs in once, so the account exists
    expect((await authApi(stack, admin, 'POST', 'roles/assign', { username: 'alice', role_id: roleId })).status).toBe(200);
    expect(await reads('alice')).toBe(200);
  });

  it('a claimed IdP group mlflow-role:<id> is dropped at sign-in', async () => {
    stack.idp.setUserGroups('carol', ['team-a', `mlflow-role:${roleId}`, `MLFLOW-ROLE:${roleId}`]);
    expect(await reads('carol')).toBe(403);
    expect((await stack.server.gateway.store.users.getByUsername('carol'))!.groups).toEqual(['team-a']);
  });

  it('a SCIM group named mlflow-role:<id> is dropped from its members', async () => {
    const { token } = await scimToken(stack);
    const bob = await scim(stack, token, 'POST', '/Users', { schemas: [USER], userName: 'bob' });
    expect(bob.status).toBe(201);
    const group = await scim(stack, token, 'POST', '/Groups', { schemas: [GROUP], displayName: `mlflow-role:${roleId}`, members: [{ value: bob.json.id }] });
    expect(group.status).toBe(201);
    expect(await reads('bob')).toBe(403);
    expect((await stack.server.gateway.store.users.getByUsername('bob'))!.groups).not.toContain(`mlflow-role:${roleId}`);
  });

  it("the admin API refuses to write a role's reserved group directly: its permissions are the role's", async () => {
    const group = `mlflow-role:${roleId}`;
    const owner = await callerFor(stack, 'bob');
    const mine = (await owner.post('experiments/create', { name: unique('bob-owned') })).json.experiment_id as string;
    const share = await adminApi(stack, 'PUT', 'grants', { token: owner.token, body: { principal_type: 'group', principal: group, resource_type: 'experiment', resource_id: mine, level: 'READ' } });
    expect(share.status).toBe(400);
    expect(share.json.message).toMatch(/roles API/);
    const byAdmin = await adminApi(stack, 'PUT', 'grants', { token: admin, body: { principal_type: 'group', principal: group, resource_type: 'experiment', resource_id: mine, level: 'READ' } });
    expect(byAdmin.status).toBe(400);
    const rule = await adminApi(stack, 'POST', 'patterns', { token: admin, body: { principal_type: 'group', principal: group, resource_type: 'experiment', matcher: 'glob', pattern: '*', level: 'READ' } });
    expect(rule.status).toBe(400);
    expect(await stack.server.gateway.store.grants.listForResource('experiment', mine)).not.toContainEqual(expect.objectContaining({ principal: group }));
  });
});
