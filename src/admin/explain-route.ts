// POST <mount>/_gateway/api/v1/explain: why a user may or may not do something, step by step.
// The answer comes from AccessControl.explain — the very decision the proxy makes — for the stored
// user (groups as last seen from the IdP), without any token limits.
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../pipeline/gateway.js';
import { requireJsonObject } from './body.js';
import { adminCaller } from './caller.js';
import { explainInput } from './input.js';
import { policyResource, requireAdmin } from './permissions.js';
import { userByUsername } from './principals.js';
import { explanationJson } from './serialize.js';

export function registerExplainRoute(app: FastifyInstance, gw: Gateway, base: string): void {
  app.post(`${base}/explain`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const input = explainInput(await requireJsonObject(req));
    // Anyone may ask about themselves; only administrators about others (an explanation lists
    // grants and rules, which is exactly what a non-admin must not learn about other people).
    const own = input.username === caller.user.username;
    if (!own) requireAdmin(caller, 'explain the access of other users', 'read');
    caller.ctx.decision = own ? 'allow: own access' : 'allow: administrator';
    const user = await userByUsername(gw.store, input.username);
    // A child named without its parent is completed from MLflow (the decision the proxy would make).
    const resource = input.resource.parent !== undefined ? input.resource : { ...(await policyResource(gw, input.resource)), ...(input.resource.name ? { name: input.resource.name } : {}) };
    const explanation = await gw.access.explain(gw.access.subjectOf(user), input.action, resource);
    return { user: user.username, action: input.action, resource: input.resource, ...(await explanationJson(gw.store, explanation)) };
  });
}
