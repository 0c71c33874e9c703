// POST <mount>/_gateway/api/v1/explain: why a user may or may not do something, step by step.
// The answer comes from AccessControl.explain — the very decision the proxy makes — for the stored
// user (groups as last seen from the IdP), without any token limits.
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { ResourceType } from '../policy/index.js';
import type { Caller } from './caller.js';
import type { Gateway } from '../pipeline/gateway.js';
import { requireJsonObject } from './body.js';
import { adminCaller } from './caller.js';
import { explainInput } from './input.js';
import { isFullAdmin, policyResource, requireAdmin, requireManage } from './permissions.js';
import { userByUsername } from './principals.js';
import { explanationJson } from './serialize.js';

export function registerExplainRoute(app: FastifyInstance, gw: Gateway, base: string): void {
  app.post(`${base}/explain`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const input = explainInput(await requireJsonObject(req));
    // Anyone may ask about themselves; administrators about anyone; a manager of the resource
    // (MANAGE on it, and on its parent for a child) about anyone's access to that resource: the
    // grants an explanation lists are the ones a manager already lists and changes when sharing.
    const own = input.username === caller.user.username;
    let manager = false;
    if (!own && !isFullAdmin(caller)) {
      if (caller.user.isAdmin) requireAdmin(caller, 'explain the access of other users', 'read');
      else {
        await requireManageToExplain(gw, caller, input.resource);
        manager = true;
      }
    }
    caller.ctx.decision = own ? 'allow: own access' : manager ? 'allow: manager of the resource' : 'allow: administrator';
    const user = await userByUsername(gw.store, input.username);
    // A child named without its parent is completed from MLflow (the decision the proxy would make);
    // a manager's question always uses the parent MLflow reports (the one MANAGE was checked on).
    const resource = input.resource.parent !== undefined && !manager
      ? input.resource
      : { ...(await policyResource(gw, input.resource)), ...(input.resource.name ? { name: input.resource.name } : {}) };
    const explanation = await gw.access.explain(gw.access.subjectOf(user), input.action, resource);
    return { user: user.username, action: input.action, resource: input.resource, ...(await explanationJson(gw.store, explanation)) };
  });
}

/** MANAGE on the resource and, for a child, on the parent MLflow reports for it; else a refusal that says so. */
async function requireManageToExplain(gw: Gateway, caller: Caller, ref: { type: ResourceType; id: string }): Promise<void> {
  try {
    await requireManage(gw, caller, { type: ref.type, id: ref.id }, 'read');
    const parent = (await policyResource(gw, { type: ref.type, id: ref.id })).parent;
    if (parent) await requireManage(gw, caller, { type: parent.type, id: parent.id }, 'read');
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'GW_DENIED') {
      throw new GatewayError('GW_DENIED', 'Only administrators, and managers of the resource (MANAGE on it and on its parent), may explain the access of other users', { detail: error.detail ?? error.message });
    }
    throw error;
  }
}
