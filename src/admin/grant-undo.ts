// Undo of one grant change (PUT or DELETE grants), for the share dialog's "Undo". A manager who
// lowered their own access may no longer manage the resource, so undo cannot be a second ordinary
// change: the change's answer carries a sealed, single-use, short-lived ticket naming exactly the
// grant before and after. POST grants/undo restores the grant as it was — only for the user who
// made the change, only while the grant is still what the change left (a later change by anyone
// wins), and never through a read-only or resource-scoped token.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { Grant, GrantLevel, ResourceType } from '../policy/index.js';
import { createSealer, type Sealer } from '../session/seal.js';
import { requireJsonObject } from './body.js';
import { adminCaller, type Caller } from './caller.js';
import { recordChange, resourceLabel, type GrantTarget } from './changes.js';
import { onlyFields, text } from './input.js';
import { grantsJson } from './serialize.js';

/** How long an undo stays possible. */
export const UNDO_SECONDS = 600;

interface Ticket {
  readonly id: string;
  readonly userId: string;
  readonly principalType: 'user' | 'group';
  readonly principal: string;
  readonly principalName: string;
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  /** The grant before the change (null: there was none). */
  readonly before: { readonly level: GrantLevel; readonly overrideParentDeny: boolean } | null;
  /** What the change left (null: deleted). */
  readonly after: GrantLevel | null;
}

const sealers = new WeakMap<Gateway, Sealer>();
const sealer = (gw: Gateway): Sealer => {
  let s = sealers.get(gw);
  if (!s) sealers.set(gw, (s = createSealer(gw.config.secret, 'grant-undo')));
  return s;
};

/** The exact grant a target holds now (level and override flag), or null. */
export async function currentGrant(gw: Gateway, t: GrantTarget): Promise<Grant | null> {
  const all = await gw.store.grants.listForResource(t.resourceType, t.resourceId);
  return all.find((g) => g.principalType === t.principal.type && g.principal === t.principal.key) ?? null;
}

/** The ticket for a change just made by `caller`. */
export function undoTicket(gw: Gateway, caller: Caller, t: GrantTarget, before: Grant | null, after: GrantLevel | null): { undo: string; undo_expires_at: string } {
  const ticket: Ticket = {
    id: randomUUID(), userId: caller.user.id, principalType: t.principal.type, principal: t.principal.key, principalName: t.principal.name,
    resourceType: t.resourceType, resourceId: t.resourceId,
    before: before && { level: before.level, overrideParentDeny: before.overrideParentDeny === true }, after,
  };
  return { undo: sealer(gw).seal(ticket, UNDO_SECONDS), undo_expires_at: new Date(Date.now() + UNDO_SECONDS * 1000).toISOString() };
}

export function registerGrantUndoRoute(app: FastifyInstance, gw: Gateway, base: string): void {
  app.post(`${base}/grants/undo`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const body = await requireJsonObject(req);
    onlyFields(body, ['undo'], 'undo');
    const ticket = sealer(gw).open<Ticket>(text(body, 'undo'));
    if (!ticket || ticket.userId !== caller.user.id) {
      throw new GatewayError('GW_BAD_REQUEST', `This undo is not valid: it expired (undo is possible for ${UNDO_SECONDS / 60} minutes), or it was given to someone else`);
    }
    if (caller.limits.maxLevel !== undefined || caller.limits.scope !== undefined) {
      throw new GatewayError('GW_DENIED', 'A read-only or resource-scoped token cannot undo changes to grants');
    }
    const target: GrantTarget = {
      principal: { type: ticket.principalType, key: ticket.principal, name: ticket.principalName }, resourceType: ticket.resourceType, resourceId: ticket.resourceId,
    };
    const now = await currentGrant(gw, target);
    if ((now?.level ?? null) !== ticket.after) {
      throw new GatewayError('GW_CONFLICT', `The grant of ${ticket.principalType} ${ticket.principalName} changed since (now ${now?.level ?? 'none'}); nothing was undone`);
    }
    if (!(await gw.store.oneTimeIds.use('grant-undo', ticket.id, new Date(Date.now() + UNDO_SECONDS * 1000), new Date()))) {
      throw new GatewayError('GW_CONFLICT', 'This change was undone already');
    }
    if (ticket.before) {
      await gw.store.grants.set({
        principalType: ticket.principalType, principal: ticket.principal, resourceType: ticket.resourceType, resourceId: ticket.resourceId, level: ticket.before.level,
        ...(ticket.before.overrideParentDeny ? { overrideParentDeny: true } : {}),
      });
    } else {
      await gw.store.grants.delete(ticket.principalType, ticket.principal, ticket.resourceType, ticket.resourceId);
    }
    caller.ctx.decision = 'allow: undo of own change';
    await recordChange(caller.changes, {
      action: 'grant.undo', resource: resourceLabel(ticket.resourceType, ticket.resourceId), level: ticket.before?.level ?? null,
      principal: `${ticket.principalType} ${ticket.principalName}`,
      reason: `${ticket.principalType} ${ticket.principalName}: undid ${ticket.after ?? 'the removal'}, restored ${ticket.before?.level ?? 'no grant'}`,
    });
    const [grant] = ticket.before ? await grantsJson(gw.store, [{
      principalType: ticket.principalType, principal: ticket.principal, resourceType: ticket.resourceType, resourceId: ticket.resourceId, level: ticket.before.level,
      ...(ticket.before.overrideParentDeny ? { overrideParentDeny: true } : {}),
    }]) : [];
    return { restored: grant ?? null };
  });
}
