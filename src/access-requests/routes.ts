// <mount>/_gateway/api/v1/access-requests: a user asks for a level on a resource with a message;
// the resource's managers (and administrators) approve — which creates the user grant — or
// decline; the requester sees the outcome; requests expire after ACCESS_REQUEST_TTL_DAYS.
// Every step is an audit row (access_request.create / .approve / .decline, and grant.set for the
// grant an approval makes). Deciding needs exactly what sharing needs: MANAGE on the resource,
// decided by the policy (src/admin/permissions.ts), and nobody decides their own request.
import type { FastifyInstance } from 'fastify';
import { GatewayError, isGatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { AccessRequest } from '../store/index.js';
import { requireJsonObject, readJsonObject } from '../admin/body.js';
import { adminCaller, type Caller } from '../admin/caller.js';
import { recordChange, recordRefusal, resourceLabel } from '../admin/changes.js';
import { isFullAdmin, requireManage, resourceName } from '../admin/permissions.js';
import { ACCESS_REQUEST_TTL_DAYS, approveInput, atLeastLevel, declineInput, newRequestInput } from './input.js';
import { requestJson } from './serialize.js';

/** How many pending requests a manager's inbox looks through (newest first). */
const INBOX_SCAN = 500;
const DAY_MS = 86_400_000;

export function registerAccessRequestRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  const url = `${base}/access-requests`;

  app.post(url, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const input = newRequestInput(await requireJsonObject(req));
    const resource = { type: input.resource.type, id: input.resource.id, name: await resourceName(gw, input.resource) };
    if (input.resource.type === 'experiment' && resource.name === undefined) {
      const known = await gw.resolver.resolve('experiment_id', input.resource.id);
      if (!known.ok && known.reason === 'not_found') throw new GatewayError('GW_RESOURCE_NOT_FOUND', `No experiment '${input.resource.id}' exists`);
    }
    const held = await gw.access.check(gw.access.subjectOf(caller.user), 'read', resource);
    if (atLeastLevel(held.level, input.level)) {
      throw new GatewayError('GW_BAD_REQUEST', `You already have ${held.level} on ${input.resource.type} ${input.resource.id}, which includes ${input.level}`);
    }
    const now = new Date();
    const open = await gw.store.accessRequests.list({ now, status: 'pending', requesterId: caller.user.id, resource: input.resource, limit: 1 });
    if (open[0]) throw new GatewayError('GW_CONFLICT', `You already asked for ${open[0].level} on ${input.resource.type} ${input.resource.id} (request ${open[0].id}); it is waiting for a manager`);
    const created = await gw.store.accessRequests.create({
      requesterId: caller.user.id, resourceType: input.resource.type, resourceId: input.resource.id, level: input.level, message: input.message,
      createdAt: now, expiresAt: new Date(now.getTime() + ACCESS_REQUEST_TTL_DAYS * DAY_MS),
    });
    caller.ctx.decision = 'allow: anyone may ask for access';
    await recordChange(caller.changes, {
      action: 'access_request.create', resource: resourceLabel(created.resourceType, created.resourceId), level: created.level,
      reason: `${caller.user.username} asks for ${created.level} (${created.id})${created.message ? `: ${JSON.stringify(created.message.slice(0, 200))}` : ''}`,
    });
    return reply.code(201).send({ access_request: await requestJson(gw, created, { requester: caller.user.username }) });
  });

  // The caller's own requests, and the pending requests the caller may decide.
  app.get(url, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const now = new Date();
    const mine = await gw.store.accessRequests.list({ now, requesterId: caller.user.id, limit: 100 });
    const pending = (await gw.store.accessRequests.list({ now, status: 'pending', limit: INBOX_SCAN })).filter((r) => r.requesterId !== caller.user.id);
    const decidable: AccessRequest[] = [];
    const verdicts = new Map<string, Promise<boolean>>();
    for (const r of pending) {
      const key = resourceLabel(r.resourceType, r.resourceId);
      if (!verdicts.has(key)) verdicts.set(key, mayDecide(gw, caller, r));
      if (await verdicts.get(key)) decidable.push(r);
    }
    caller.ctx.decision = 'allow: own requests and requests on managed resources';
    return {
      mine: await Promise.all(mine.map((r) => requestJson(gw, r, { requester: caller.user.username }))),
      to_decide: await Promise.all(decidable.map((r) => requestJson(gw, r, { withName: true, canDecide: true }))),
    };
  });

  app.post(`${url}/:id/approve`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const input = approveInput((await readJsonObject(req)) ?? {});
    const r = await decidableRequest(gw, caller, (req.params as { id: string }).id, 'access_request.approve');
    const level = input.level ?? r.level;
    const now = new Date();
    const grant = { principalType: 'user' as const, principal: r.requesterId, resourceType: r.resourceType, resourceId: r.resourceId, level };
    const previous = (await gw.store.grants.listForResource(r.resourceType, r.resourceId)).find((g) => g.principalType === 'user' && g.principal === r.requesterId)?.level ?? null;
    if (!(await gw.store.accessRequests.decide(r.id, { status: 'approved', by: caller.user.username, note: input.note || null, now, grant }))) {
      throw new GatewayError('GW_CONFLICT', `Request ${r.id} was decided or expired meanwhile`);
    }
    const requester = await requesterName(gw, r);
    const label = resourceLabel(r.resourceType, r.resourceId);
    await recordChange(caller.changes, { action: 'grant.set', resource: label, level, principal: `user ${requester}`, reason: `user ${requester} → ${level} (${previous === null ? 'new grant' : `was ${previous}`}; access request ${r.id})` });
    await recordChange(caller.changes, { action: 'access_request.approve', resource: label, level, reason: `${requester} gets ${level} (${r.id})${input.note ? `: ${JSON.stringify(input.note.slice(0, 200))}` : ''}` });
    caller.ctx.decision = isFullAdmin(caller) ? 'allow: administrator' : 'allow: MANAGE on the resource';
    const decided = await gw.store.accessRequests.get(r.id, now);
    return { access_request: await requestJson(gw, decided!, { withName: true }), previous_level: previous };
  });

  app.post(`${url}/:id/decline`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const input = declineInput((await readJsonObject(req)) ?? {});
    const r = await decidableRequest(gw, caller, (req.params as { id: string }).id, 'access_request.decline');
    const now = new Date();
    if (!(await gw.store.accessRequests.decide(r.id, { status: 'declined', by: caller.user.username, note: input.note || null, now }))) {
      throw new GatewayError('GW_CONFLICT', `Request ${r.id} was decided or expired meanwhile`);
    }
    await recordChange(caller.changes, {
      action: 'access_request.decline', resource: resourceLabel(r.resourceType, r.resourceId), level: r.level,
      reason: `${await requesterName(gw, r)} does not get ${r.level} (${r.id})${input.note ? `: ${JSON.stringify(input.note.slice(0, 200))}` : ''}`,
    });
    caller.ctx.decision = isFullAdmin(caller) ? 'allow: administrator' : 'allow: MANAGE on the resource';
    return { access_request: await requestJson(gw, (await gw.store.accessRequests.get(r.id, now))!, { withName: true }) };
  });
}

async function mayDecide(gw: Gateway, caller: Caller, r: AccessRequest): Promise<boolean> {
  try {
    await requireManage(gw, caller, { type: r.resourceType, id: r.resourceId }, 'write');
    return true;
  } catch (err) {
    if (isGatewayError(err) && err.code === 'GW_DENIED') return false;
    throw err;
  }
}

/**
 * The request, if the caller may decide it: MANAGE on its resource first (a caller without it
 * learns nothing about the request beyond "not yours to decide"), never one's own, still pending.
 * A refused attempt is audited.
 */
async function decidableRequest(gw: Gateway, caller: Caller, id: string, action: string): Promise<AccessRequest> {
  const r = await gw.store.accessRequests.get(id, new Date());
  if (!r) throw new GatewayError('GW_NOT_FOUND', `No access request ${JSON.stringify(id.slice(0, 64))}`);
  const label = resourceLabel(r.resourceType, r.resourceId);
  try {
    await requireManage(gw, caller, { type: r.resourceType, id: r.resourceId }, 'write');
    if (r.requesterId === caller.user.id) throw new GatewayError('GW_DENIED', 'You cannot decide your own access request; a manager of the resource or an administrator does');
  } catch (err) {
    if (isGatewayError(err) && err.code === 'GW_DENIED') await recordRefusal(caller.changes, action, label, `${r.id}: ${err.message}`);
    throw err;
  }
  if (r.status !== 'pending') throw new GatewayError('GW_CONFLICT', `Request ${r.id} is ${r.status}${r.decidedBy ? ` (by ${r.decidedBy})` : ''}; it can no longer be decided`);
  return r;
}

async function requesterName(gw: Gateway, r: AccessRequest): Promise<string> {
  return (await gw.store.users.get(r.requesterId))?.username ?? r.requesterId;
}
