// GET / PUT / DELETE <mount>/_gateway/api/v1/grants
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError, isGatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { GrantLevel } from '../policy/index.js';
import { readJsonObject, requireJsonObject } from './body.js';
import { adminCaller, type Caller } from './caller.js';
import { currentGrantLevel, deleteGrant, recordRefusal, resourceLabel, setGrant, type GrantTarget } from './changes.js';
import { badRequest, grantInput, grantKey, onlyFields, principalRef, resourceRef, type Fields, type GrantKey } from './input.js';
import { assertNoSelfEscalation, isFullAdmin, ownLevelsAround, reachesCaller, requireAdmin, requireManage, type OwnLevels } from './permissions.js';
import { assertNotRoleGroup, grantee, storedPrincipal, type StoredPrincipal } from './principals.js';
import { grantsJson } from './serialize.js';
import { currentGrant, registerGrantUndoRoute, undoTicket } from './grant-undo.js';

export function registerGrantRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  const url = `${base}/grants`;
  registerGrantUndoRoute(app, gw, base);

  app.get(url, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const query = req.query as Fields;
    onlyFields(query, ['resource_type', 'resource_id', 'principal_type', 'principal'], 'query');
    const byResource = query.resource_type !== undefined || query.resource_id !== undefined;
    const byPrincipal = query.principal_type !== undefined || query.principal !== undefined;
    if (byResource === byPrincipal) {
      throw badRequest('Give either resource_type and resource_id (who has access to a resource) or principal_type and principal (what a user or group holds)');
    }
    if (byResource) {
      const resource = resourceRef(query);
      await requireManage(gw, caller, resource, 'read');
      caller.ctx.decision = isFullAdmin(caller) ? 'allow: administrator' : 'allow: MANAGE on the resource';
      const grants = await gw.store.grants.listForResource(resource.type, resource.id);
      return { resource: { type: resource.type, id: resource.id }, grants: await grantsJson(gw.store, grants) };
    }
    requireAdmin(caller, 'list the grants of a user or group', 'read');
    caller.ctx.decision = 'allow: administrator';
    const principal = await storedPrincipal(gw.store, principalRef(query));
    const grants = await gw.store.grants.listForPrincipal(principal.type, principal.key);
    return { principal: { type: principal.type, name: principal.name }, grants: await grantsJson(gw.store, grants) };
  });

  app.put(url, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const input = grantInput(await requireJsonObject(req));
    const target = await authorizeChange(gw, caller, 'grant.set', input, async (t, current) =>
      assertNoSelfEscalation(caller, t.principal, current, input.level, await ownLevels(gw, caller, input, t, input.level)), async (ref) => {
        // Refused before a person is recorded ahead of sign-in, so a refused request changes nothing.
        if (input.overrideParentDeny) requireAdmin(caller, 'set override_parent_deny on a grant', 'write');
        return grantee(gw.store, caller.changes, ref);
      });
    // Lifting a parent's DENY is the administrator's word, never an owner's (the owner of an
    // experiment could otherwise undo a DENY an administrator put on it, one run at a time).
    if (input.overrideParentDeny) requireAdmin(caller, 'set override_parent_deny on a grant', 'write');
    const before = await currentGrant(gw, target);
    const previous = await setGrant(caller.changes, target, input.level, input.overrideParentDeny);
    const [grant] = await grantsJson(gw.store, [{
      principalType: target.principal.type, principal: target.principal.key, resourceType: target.resourceType, resourceId: target.resourceId, level: input.level,
      ...(input.overrideParentDeny ? { overrideParentDeny: true } : {}),
    }]);
    return {
      grant, previous_level: previous, ...undoTicket(gw, caller, target, before, input.level),
      ...(isFullAdmin(caller) && target.principal.recordedAhead === true ? { recorded_ahead_of_sign_in: true } : {}),
    };
  });

  app.delete(url, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const key = grantKey(await keyFields(req));
    const target = await authorizeChange(gw, caller, 'grant.delete', key, async (t, current) =>
      assertNoSelfEscalation(caller, t.principal, current, 'delete', await ownLevels(gw, caller, key, t, 'delete')));
    const before = await currentGrant(gw, target);
    const deleted = await deleteGrant(caller.changes, target);
    if (deleted === undefined) {
      throw new GatewayError('GW_NOT_FOUND', `${target.principal.type} ${target.principal.name} has no grant on ${target.resourceType} ${target.resourceId}`);
    }
    return { deleted: true, previous_level: deleted.previous, ...undoTicket(gw, caller, target, before, null) };
  });
}

/** DELETE names the grant in a JSON body or in the query string, not both (they could disagree). */
async function keyFields(req: FastifyRequest): Promise<Fields> {
  const body = await readJsonObject(req);
  const query = req.query as Fields;
  if (body !== undefined && Object.keys(query).length > 0) throw badRequest('Name the grant in the JSON body or in the query string, not both');
  return body ?? query;
}

/** The caller's own level before and after a change to a grant of one of their groups (else not needed). */
async function ownLevels(gw: Gateway, caller: Caller, key: GrantKey, t: GrantTarget, next: GrantLevel | 'delete'): Promise<OwnLevels | undefined> {
  if (isFullAdmin(caller) || t.principal.type !== 'group' || !reachesCaller(caller, t.principal)) return undefined;
  return ownLevelsAround(gw, caller, key.resource, t.principal, next);
}

/**
 * MANAGE on the resource first (so a caller without it learns nothing about which users exist),
 * then the principal, then the self-escalation rule. A refused write of an authenticated caller is
 * audited: an owner probing for more than they hold is worth seeing.
 */
async function authorizeChange(
  gw: Gateway, caller: Caller, action: string, key: GrantKey, selfCheck: (target: GrantTarget, current: GrantLevel | null) => void | Promise<void>,
  principalOf: (ref: GrantKey['principal']) => Promise<StoredPrincipal> = (ref) => storedPrincipal(gw.store, ref),
): Promise<GrantTarget> {
  const resource = resourceLabel(key.resource.type, key.resource.id);
  try {
    await requireManage(gw, caller, key.resource, 'write');
    assertNotRoleGroup(key.principal);
    const target: GrantTarget = { principal: await principalOf(key.principal), resourceType: key.resource.type, resourceId: key.resource.id };
    await selfCheck(target, await currentGrantLevel(gw.store, target));
    caller.ctx.decision = isFullAdmin(caller) ? 'allow: administrator' : 'allow: MANAGE on the resource';
    return target;
  } catch (err) {
    if (isGatewayError(err) && err.code === 'GW_DENIED') {
      await recordRefusal(caller.changes, action, resource, `${key.principal.type} ${key.principal.name}: ${err.message}`);
    }
    throw err;
  }
}
