// MLflow's users/* endpoints on the gateway's accounts. People sign in through the identity
// provider, so a password is never stored and never becomes a way in: users/create records the
// account ahead of its first sign-in (grants can name it at once) and says the password was ignored;
// update-password is refused with what to use instead. Who may call what is MLflow's rule:
// administrators for everything, a user for reading themselves.
import { GatewayError } from '../errors/index.js';
import type { Caller } from '../admin/caller.js';
import { recordChange } from '../admin/changes.js';
import { requireAdmin } from '../admin/permissions.js';
import { deleteServiceAccount, serviceAccountByName } from '../service-accounts/manage.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { Store, User } from '../store/index.js';
import type { Params } from './params.js';
import { roleJson } from './roles.js';

/** MLflow's User.to_json(); ids are the gateway's (strings, where MLflow has integers). */
export function mlflowUserJson(user: User): { id: string; username: string; is_admin: boolean } {
  return { id: user.id, username: user.username, is_admin: user.isAdmin };
}

export async function mlflowUser(store: Store, username: string): Promise<User> {
  const user = await store.users.getByUsername(username);
  if (!user) throw new GatewayError('GW_RESOURCE_NOT_FOUND', `User with username=${username} not found`);
  return user;
}

const PASSWORD_NOTE = 'The password was not stored: people sign in through the identity provider, and programs use a personal access token as the password (MLFLOW_TRACKING_PASSWORD) or MLFLOW_TRACKING_TOKEN.';

export async function createUser(gw: Gateway, caller: Caller, p: Params) {
  requireAdmin(caller, 'create users', 'write');
  const username = p.optionalText('username') ?? '';
  const password = p.optionalText('password') ?? '';
  if (username === '' || password === '') throw new GatewayError('GW_BAD_REQUEST', 'Username and password cannot be empty.');
  const { user, created } = await gw.store.users.createAhead(username, new Date());
  if (!created) throw new GatewayError('GW_ALREADY_EXISTS', `User (username=${username}) already exists.`);
  await recordChange(caller.changes, {
    action: 'user.create', resource: `user:${username}`,
    reason: `recorded ${username} ahead of first sign-in (MLflow users/create; the password was ignored)`,
  });
  caller.ctx.decision = 'allow: administrator';
  return { user: mlflowUserJson(user), password_stored: false, message: PASSWORD_NOTE };
}

export async function getUser(gw: Gateway, caller: Caller, p: Params) {
  const username = p.text('username');
  const own = username === caller.user.username;
  if (!own) requireAdmin(caller, 'read other users', 'read');
  caller.ctx.decision = own ? 'allow: own account' : 'allow: administrator';
  return { user: mlflowUserJson(own ? caller.user : await mlflowUser(gw.store, username)) };
}

/** What MLflow's UI asks on every page: answered for every signed-in user. */
export function currentUser(caller: Caller) {
  caller.ctx.decision = 'allow: authenticated';
  // is_basic_auth false: MLflow's UI then hides its Basic-only affordances (logout trick, password change).
  return { user: mlflowUserJson(caller.user), is_basic_auth: false };
}

export async function listUsers(gw: Gateway, caller: Caller) {
  requireAdmin(caller, 'list users', 'read');
  caller.ctx.decision = 'allow: administrator';
  const users: User[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await gw.store.users.list({ limit: 500, offset });
    users.push(...page);
    if (page.length < 500) break;
  }
  // Each user's roles, as MLflow's list_users answers (for an administrator: all of them).
  const roles = await gw.store.roles.listByUser();
  return { users: users.map((u) => ({ ...mlflowUserJson(u), roles: (roles.get(u.id) ?? []).map(roleJson) })) };
}

export async function updatePassword(gw: Gateway, caller: Caller, p: Params) {
  const username = p.text('username');
  if (username !== caller.user.username) requireAdmin(caller, "change other users' passwords", 'write');
  await mlflowUser(gw.store, username);
  throw new GatewayError('GW_AUTH_API_UNSUPPORTED', `Passwords are not used by this gateway, so none was changed. ${PASSWORD_NOTE} Create one in the web UI (/_gateway/ui/) or with \`mlflow-oidc-gateway tokens create\`.`);
}

export async function updateAdmin(gw: Gateway, caller: Caller, p: Params) {
  requireAdmin(caller, 'change the admin flag', 'write');
  const username = p.text('username');
  p.bool('is_admin');
  const user = await mlflowUser(gw.store, username);
  const how = user.kind === 'service'
    ? `put the service account in an administrator group (mlflow-oidc-gateway service-accounts update ${username} --group <admin group>)`
    : `add ${username} to one of the administrator groups (OIDC_ADMIN_GROUPS) at the identity provider; it applies at their next sign-in`;
  throw new GatewayError('GW_AUTH_API_UNSUPPORTED', `The admin flag is decided by group membership on this gateway, not stored per user: ${how}`);
}

/**
 * A service account is deleted with everything acting for it. A person is disabled (sessions ended,
 * tokens revoked): the identity provider, not the gateway, decides whether the person exists, and
 * their next sign-in must not silently recreate a fresh account under the same name.
 */
export async function deleteUser(gw: Gateway, caller: Caller, p: Params) {
  requireAdmin(caller, 'delete users', 'write');
  const username = p.text('username');
  if (username === caller.user.username) {
    throw new GatewayError('GW_BAD_REQUEST', 'Users cannot delete their own account. Ask another admin to delete this user instead.');
  }
  const user = await mlflowUser(gw.store, username);
  caller.ctx.decision = 'allow: administrator';
  if (user.kind === 'service') {
    await deleteServiceAccount(caller.changes, await serviceAccountByName(gw.store, username));
    return {};
  }
  await gw.store.users.setDisabled(user.id, true);
  const ended = await gw.store.sessions.deleteForUser(user.id);
  const revoked = await gw.store.tokens.revokeAllForUser(user.id, new Date());
  gw.users.invalidate(user.id);
  await recordChange(caller.changes, {
    action: 'user.disable', resource: `user:${username}`,
    reason: `MLflow users/delete: disabled; ${ended} session(s) ended, ${revoked} token(s) revoked`,
  });
  return {};
}
