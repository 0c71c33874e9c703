// GET users/<username> (an administrator, or the user themselves) and
// POST users/<username>/disable|enable (administrators). Disabling ends every session of the user
// at once and forgets the cached user, so neither a cookie nor a bearer JWT works a moment later;
// personal tokens are refused while the account is disabled (they are checked against the store).
import { isAdminGroup } from '../oidc/providers/registry.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { isLive, sessionJson, tokenSummaryJson } from './account-json.js';
import { adminCaller } from './caller.js';
import { requireAdmin } from './permissions.js';
import { userByUsername } from './principals.js';
import { recordAction } from './record.js';
import { grantsJson, patternsJson, userJson } from './serialize.js';

type Named = FastifyRequest<{ Params: { username: string } }>;

export function registerUserDetailRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/users/:username`, async (req: Named, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const own = req.params.username === caller.user.username;
    if (!own) requireAdmin(caller, 'read other users', 'read');
    caller.ctx.decision = own ? 'allow: own account' : 'allow: administrator';
    const user = own ? caller.user : await userByUsername(gw.store, req.params.username);
    const [grants, rules, tokens, sessions, groupGrants] = await Promise.all([
      gw.store.grants.listForPrincipal('user', user.id),
      gw.store.grants.listPatterns(),
      gw.store.tokens.list({ userId: user.id }),
      gw.store.sessions.listForUser(user.id),
      Promise.all(user.groups.map(async (g) => ({ group: g, grants: await gw.store.grants.listForPrincipal('group', g) }))),
    ]);
    const mine = rules.filter((r) => (r.principalType === 'user' ? r.principal === user.id : user.groups.includes(r.principal)));
    const now = Date.now();
    return {
      user: userJson(user),
      grants: await grantsJson(gw.store, grants),
      groups: await Promise.all(groupGrants.map(async (g) => ({
        name: g.group, admin_group: isAdminGroup(gw.config.providers, g.group), grants: await grantsJson(gw.store, g.grants),
      }))),
      patterns: await patternsJson(gw.store, mine),
      tokens: tokens.filter((t) => t.expiresAt.getTime() > now).map(tokenSummaryJson),
      sessions: sessions.filter((s) => isLive(s, gw.config.sessionIdleTimeout, now)).map((s) => sessionJson(s, caller.ctx.principal?.sessionId)),
    };
  });

  for (const change of ['disable', 'enable'] as const) {
    app.post(`${base}/users/:username/${change}`, async (req: Named, reply) => {
      const caller = await adminCaller(gw, req, reply);
      requireAdmin(caller, `${change} users`, 'write');
      const user = await userByUsername(gw.store, req.params.username);
      if (change === 'disable' && user.id === caller.user.id) throw new GatewayError('GW_DENIED', 'You cannot disable your own account');
      caller.ctx.decision = 'allow: administrator';
      await gw.store.users.setDisabled(user.id, change === 'disable');
      const ended = change === 'disable' ? await gw.store.sessions.deleteForUser(user.id) : 0;
      gw.users.invalidate(user.id);
      await recordAction(caller, `user.${change}`, `user:${user.username}`, change === 'disable' ? `disabled; ${ended} session(s) ended` : 'enabled');
      const updated = await gw.store.users.get(user.id);
      return { user: userJson(updated ?? user), sessions_ended: ended };
    });
  }
}
