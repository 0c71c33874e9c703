// GET groups (administrators): every group the gateway knows of — named in a user's groups (as
// last seen from the IdP) or in a grant or pattern rule — with its members, grants and rules.
import { isAdminGroup } from '../oidc/providers/registry.js';
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../pipeline/gateway.js';
import type { User } from '../store/index.js';
import { adminCaller } from './caller.js';
import { requireAdmin } from './permissions.js';
import { grantsJson, patternsJson } from './serialize.js';

/** Users are listed in pages; a gateway with more users than this shows the first ones. */
const MAX_USERS = 10_000;

export async function allUsers(gw: Gateway): Promise<User[]> {
  const users: User[] = [];
  while (users.length < MAX_USERS) {
    const page = await gw.store.users.list({ limit: 1000, offset: users.length });
    users.push(...page);
    if (page.length < 1000) break;
  }
  return users;
}

export function registerGroupRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/groups`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'list groups', 'read');
    caller.ctx.decision = 'allow: administrator';
    const [users, named, rules] = await Promise.all([allUsers(gw), gw.store.grants.groupNames(), gw.store.grants.listPatterns()]);
    const names = [...new Set([...users.flatMap((u) => u.groups), ...named, ...gw.config.providers.flatMap((p) => p.adminGroups)])].sort();
    const groups = await Promise.all(names.map(async (name) => ({
      name,
      admin_group: isAdminGroup(gw.config.providers, name),
      members: users.filter((u) => u.groups.includes(name)).map((u) => u.username),
      grants: await grantsJson(gw.store, await gw.store.grants.listForPrincipal('group', name)),
      patterns: await patternsJson(gw.store, rules.filter((r) => r.principalType === 'group' && r.principal === name)),
    })));
    return { groups };
  });
}
