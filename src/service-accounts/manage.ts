// Creating, changing and deleting service accounts, for the admin API and the CLI alike: both
// leave the same audit row and log line (admin/changes.ts), never holding a credential.
import { recordChange, type ChangeContext } from '../admin/changes.js';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import { isAdminGroup } from '../oidc/providers/registry.js';
import type { ServiceAccount, Store } from '../store/index.js';
import type { ServiceAccountChanges, ServiceAccountInput } from './input.js';

const label = (name: string) => `service-account:${name}`;

/** Administrators are decided by group, for service accounts exactly as for people. */
function isAdmin(config: Config, groups: readonly string[]): boolean {
  return groups.some((g) => isAdminGroup(config.providers, g));
}

export async function serviceAccountByName(store: Store, name: string): Promise<ServiceAccount> {
  const account = await store.serviceAccounts.get(name);
  if (!account) throw new GatewayError('GW_NOT_FOUND', `No service account named ${JSON.stringify(name)}`);
  return account;
}

export async function createServiceAccount(config: Config, cx: ChangeContext, input: ServiceAccountInput): Promise<ServiceAccount> {
  if (await cx.store.users.getByUsername(input.name)) {
    throw new GatewayError('GW_CONFLICT', `A user or service account named ${JSON.stringify(input.name)} already exists; pick another name`);
  }
  const account = await cx.store.serviceAccounts.create({
    username: input.name, description: input.description, groups: input.groups, isAdmin: isAdmin(config, input.groups), createdBy: cx.actor,
  }, new Date());
  const groups = input.groups.length > 0 ? ` in ${input.groups.join(', ')}` : '';
  await recordChange(cx, { action: 'service-account.create', resource: label(input.name), reason: `created service account ${input.name}${groups}${account.user.isAdmin ? ' (administrator)' : ''}` });
  return account;
}

export async function changeServiceAccount(config: Config, cx: ChangeContext, account: ServiceAccount, changes: ServiceAccountChanges): Promise<ServiceAccount> {
  const name = account.user.username;
  if (changes.description !== undefined || changes.groups !== undefined) {
    await cx.store.serviceAccounts.update(account.user.id, {
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.groups !== undefined ? { groups: changes.groups, isAdmin: isAdmin(config, changes.groups) } : {}),
    });
    const what = changes.groups !== undefined ? `groups ${account.user.groups.join(', ') || '(none)'} → ${changes.groups.join(', ') || '(none)'}` : 'description changed';
    await recordChange(cx, { action: 'service-account.update', resource: label(name), reason: what });
  }
  if (changes.disabled !== undefined && changes.disabled !== account.user.disabled) {
    await cx.store.users.setDisabled(account.user.id, changes.disabled);
    const action = changes.disabled ? 'service-account.disable' : 'service-account.enable';
    await recordChange(cx, { action, resource: label(name), reason: `${name} ${changes.disabled ? 'disabled: its tokens and trust rules stop working' : 'enabled'}` });
  }
  return serviceAccountByName(cx.store, name);
}

/** Deletes the account and everything that acts for it (tokens, grants, rules, client mappings). */
export async function deleteServiceAccount(cx: ChangeContext, account: ServiceAccount): Promise<void> {
  const name = account.user.username;
  const [tokens, rules, clients] = await Promise.all([
    cx.store.tokens.list({ userId: account.user.id }),
    cx.store.federation.rules({ serviceAccountId: account.user.id }),
    cx.store.federation.clients({ serviceAccountId: account.user.id }),
  ]);
  if (!(await cx.store.serviceAccounts.delete(account.user.id))) throw new GatewayError('GW_NOT_FOUND', `No service account named ${JSON.stringify(name)}`);
  await recordChange(cx, {
    action: 'service-account.delete', resource: label(name),
    reason: `deleted ${name} with ${tokens.length} active token(s), ${rules.length} trust rule(s), ${clients.length} OAuth client mapping(s) and its grants`,
  });
}

export async function mapClient(cx: ChangeContext, account: ServiceAccount, clientId: string): Promise<void> {
  const before = await cx.store.federation.clientMapping(clientId);
  await cx.store.federation.mapClient({ clientId, serviceAccountId: account.user.id, createdAt: new Date(), createdBy: cx.actor });
  const was = before && before.serviceAccountId !== account.user.id ? ` (was mapped to ${(await cx.store.users.get(before.serviceAccountId))?.username ?? before.serviceAccountId})` : '';
  await recordChange(cx, { action: 'oauth-client.map', resource: `oauth-client:${clientId}`, principal: `user ${account.user.username}`, reason: `client-credentials tokens of ${clientId} act as ${account.user.username}${was}` });
}

export async function unmapClient(cx: ChangeContext, account: ServiceAccount, clientId: string): Promise<void> {
  const mapping = await cx.store.federation.clientMapping(clientId);
  if (!mapping || mapping.serviceAccountId !== account.user.id) {
    throw new GatewayError('GW_NOT_FOUND', `OAuth client ${JSON.stringify(clientId)} is not mapped to ${account.user.username}`);
  }
  await cx.store.federation.unmapClient(clientId);
  await recordChange(cx, { action: 'oauth-client.unmap', resource: `oauth-client:${clientId}`, principal: `user ${account.user.username}`, reason: `client-credentials tokens of ${clientId} no longer act as ${account.user.username}` });
}
