// Every store write that can change who may do what announces itself on the invalidation bus, here
// in one wrapper, so no writer (admin API, CLI, sign-in, token service, after-response hooks) can
// forget to. The event goes out after the write committed: a replica that hears it and re-reads
// sees the new state.
import type { Store } from '../store/index.js';
import type { InvalidationBus } from './bus.js';
import type { Invalidation } from './events.js';

export function withInvalidation(store: Store, bus: InvalidationBus): Store {
  async function after<T>(write: Promise<T>, ...events: Invalidation[]): Promise<T> {
    const result = await write;
    for (const e of events) await bus.publish(e);
    return result;
  }
  const { users, sessions, grants, rules, tokens, serviceAccounts, federation, scim, accessRequests, roles } = store;
  return {
    ...store,
    users: {
      ...users,
      async upsertOnLogin(identity, now) {
        const user = await users.upsertOnLogin(identity, now);
        await bus.publish({ kind: 'user', id: user.id }); // groups and the admin flag may have changed
        return user;
      },
      setDisabled: (id, disabled) => after(users.setDisabled(id, disabled), { kind: 'user', id }),
    },
    sessions: {
      ...sessions,
      updateTokens: (id, sealed, exp) => after(sessions.updateTokens(id, sealed, exp), { kind: 'session', id }),
      delete: (id) => after(sessions.delete(id), { kind: 'session', id }),
      deleteForUser: (userId) => after(sessions.deleteForUser(userId), { kind: 'user-sessions', userId }),
      async deleteByIdp(match) {
        const ended = await sessions.deleteByIdp(match);
        for (const s of ended) await bus.publish({ kind: 'session', id: s.id });
        return ended;
      },
      // deleteExpired needs no event: an expired or idle session is refused on its own dates by every replica.
    },
    grants: {
      ...grants,
      set: (g) => after(grants.set(g), { kind: 'grants', resourceType: g.resourceType }),
      delete: (pt, p, type, id) => after(grants.delete(pt, p, type, id), { kind: 'grants', resourceType: type }),
      deleteForResource: (type, id) => after(grants.deleteForResource(type, id), { kind: 'grants', resourceType: type }),
      addPattern: (rule) => after(grants.addPattern(rule), { kind: 'patterns', resourceType: rule.resourceType }),
      async deletePattern(id) {
        const rule = (await grants.listPatterns()).find((r) => r.id === id);
        const deleted = await grants.deletePattern(id);
        await bus.publish(rule ? { kind: 'patterns', resourceType: rule.resourceType } : { kind: 'all' });
        return deleted;
      },
      async updatePattern(id, changes) {
        const rule = await grants.updatePattern(id, changes);
        await bus.publish(rule ? { kind: 'patterns', resourceType: rule.resourceType } : { kind: 'all' });
        return rule;
      },
      // Grants move between resource types (model → prompt): both types' caches forget.
      moveResource: (from, to) => after(grants.moveResource(from, to), { kind: 'grants', resourceType: from.type }, { kind: 'grants', resourceType: to.type }),
    },
    rules: {
      ...rules,
      addProtectedKey: (r) => after(rules.addProtectedKey(r), { kind: 'rules' }),
      deleteProtectedKey: (id) => after(rules.deleteProtectedKey(id), { kind: 'rules' }),
      addTeamDefault: (r) => after(rules.addTeamDefault(r), { kind: 'rules' }),
      deleteTeamDefault: (id) => after(rules.deleteTeamDefault(id), { kind: 'rules' }),
    },
    accessRequests: {
      ...accessRequests,
      // An approval writes a grant: every replica's grant cache must hear of it.
      decide: (id, d) => (d.status === 'approved' ? after(accessRequests.decide(id, d), { kind: 'grants', resourceType: d.grant.resourceType }) : accessRequests.decide(id, d)),
    },
    // A role assignment changes the member's groups (the role's reserved group). The grants of a
    // role's permissions are written through `grants` (or, in a transaction, announced by the caller).
    roles: {
      ...roles,
      async assign(roleId, userId) {
        const assigned = await roles.assign(roleId, userId);
        if (assigned) await bus.publish({ kind: 'user', id: userId });
        return assigned;
      },
      unassign: (roleId, userId) => after(roles.unassign(roleId, userId), { kind: 'user', id: userId }),
      async delete(id) {
        const members = await roles.delete(id);
        for (const userId of members ?? []) await bus.publish({ kind: 'user', id: userId });
        return members;
      },
    },
    tokens: {
      ...tokens,
      replaceSecret: (id, hash, exp) => after(tokens.replaceSecret(id, hash, exp), { kind: 'token', id }),
      revoke: (id, now) => after(tokens.revoke(id, now), { kind: 'token', id }),
      revokeAllForUser: (userId, now) => after(tokens.revokeAllForUser(userId, now), { kind: 'user-tokens', userId }),
    },
    serviceAccounts: {
      ...serviceAccounts,
      async create(account, now) {
        const created = await serviceAccounts.create(account, now);
        await bus.publish({ kind: 'user', id: created.user.id });
        return created;
      },
      update: (userId, changes) => after(serviceAccounts.update(userId, changes), { kind: 'user', id: userId }, { kind: 'federation' }),
      // Deleting an account takes its tokens, grants, rules and mappings with it: forget everything.
      delete: (userId) => after(serviceAccounts.delete(userId), { kind: 'all' }),
    },
    // SCIM changes accounts (profile, enabled, groups): every replica must re-read them.
    scim: {
      ...scim,
      async createUser(user, now) {
        const created = await scim.createUser(user, now);
        await bus.publish({ kind: 'user', id: created.userId });
        return created;
      },
      adoptUser: (userId, user, now) => after(scim.adoptUser(userId, user, now), { kind: 'user', id: userId }),
      updateUser: (userId, user, now, ifVersion) => after(scim.updateUser(userId, user, now, ifVersion), { kind: 'user', id: userId }),
      deleteUser: (userId) => after(scim.deleteUser(userId), { kind: 'user', id: userId }),
      async syncGroups(userIds, source) {
        const changed = await scim.syncGroups(userIds, source);
        for (const id of changed) await bus.publish({ kind: 'user', id });
        return changed;
      },
    },
    federation: {
      ...federation,
      addRule: (rule) => after(federation.addRule(rule), { kind: 'federation' }),
      deleteRule: (id) => after(federation.deleteRule(id), { kind: 'federation' }),
      mapClient: (m) => after(federation.mapClient(m), { kind: 'federation' }),
      unmapClient: (clientId) => after(federation.unmapClient(clientId), { kind: 'federation' }),
    },
  };
}
