// GET access?resource_type=&resource_id=: who can reach one experiment, model… and why. Every
// answer comes from AccessControl.explain — the proxy's own decision — asked for each known user
// and, for groups, for a member with only that group; nothing here re-implements the policy.
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../pipeline/gateway.js';
import { ACTIONS, levelRank, type Resource, type Subject } from '../policy/index.js';
import { adminCaller } from './caller.js';
import { allUsers } from './group-routes.js';
import { oneOf, onlyFields, resourceRef, type Fields } from './input.js';
import { isFullAdmin, requireManage, policyResource } from './permissions.js';

export function registerAccessRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/access`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const query = req.query as Fields;
    onlyFields(query, ['resource_type', 'resource_id', 'action'], 'query');
    const ref = resourceRef(query);
    const action = query.action === undefined ? 'read' : oneOf(query, 'action', ACTIONS);
    await requireManage(gw, caller, ref, 'read');
    caller.ctx.decision = isFullAdmin(caller) ? 'allow: administrator' : 'allow: MANAGE on the resource';
    const resource: Resource = await policyResource(gw, ref);

    const [users, groupNames] = await Promise.all([allUsers(gw), gw.store.grants.groupNames()]);
    const userRows = (await Promise.all(users.map(async (u) => {
      const { decision } = await gw.access.explain(gw.access.subjectOf(u), action, resource);
      return { username: u.username, display_name: u.displayName, kind: u.kind, disabled: u.disabled, level: decision.level, source: decision.source, reason: decision.reason };
    }))).filter((r) => r.level !== 'NO_PERMISSIONS');

    // A group's own contribution: what a member holding only that group would get from group
    // grants and group pattern rules (the default is reported once, below).
    const names = [...new Set([...groupNames, ...users.flatMap((u) => u.groups)])].sort();
    const groupRows = (await Promise.all(names.map(async (g) => {
      const member: Subject = { userId: '', username: '', groups: [g], isAdmin: false };
      const { decision } = await gw.access.explain(member, action, resource);
      return { group: g, level: decision.level, source: decision.source, reason: decision.reason };
    }))).filter((r) => r.source === 'group-grant' || r.source === 'pattern');

    const byLevel = (a: { level: string }, b: { level: string }) => levelRank(b.level as never) - levelRank(a.level as never);
    return {
      resource: { type: resource.type, id: resource.id, name: resource.name ?? null },
      action,
      default_level: gw.config.defaultPermission,
      users: userRows.sort((a, b) => byLevel(a, b) || a.username.localeCompare(b.username)),
      groups: groupRows.sort((a, b) => byLevel(a, b) || a.group.localeCompare(b.group)),
    };
  });
}
