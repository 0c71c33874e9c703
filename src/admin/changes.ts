// Every change to grants and pattern rules goes through here, from the API and the CLI alike, so
// each one leaves the same two traces: an audit row (durable, queryable) and a log line (for the
// log pipeline). Neither ever holds a credential: only who, what, on which resource, at what level.
import type { GrantLevel, PatternRule, ResourceType } from '../policy/index.js';
import type { Store } from '../store/index.js';
import type { StoredPrincipal } from './principals.js';

/** Who is changing things, and where the traces go. */
export interface ChangeContext {
  readonly store: Store;
  readonly log: { info(obj: object, msg: string): void };
  /** Username of the API caller, or `cli:<os user>`. */
  readonly actor: string;
  readonly requestId: string | null;
  readonly clientIp: string | null;
}

export interface GrantTarget {
  readonly principal: StoredPrincipal;
  readonly resourceType: ResourceType;
  readonly resourceId: string;
}

export const resourceLabel = (type: ResourceType, id: string): string => `${type}:${id}`;
const principalLabel = (p: StoredPrincipal): string => `${p.type} ${p.name}`;

/** Writes both traces of one change (or refused change); shared by every admin surface. */
export async function recordChange(
  cx: ChangeContext,
  event: { action: string; resource: string; reason: string; decision?: 'allow' | 'deny'; level?: GrantLevel | null; principal?: string },
): Promise<void> {
  const decision = event.decision ?? 'allow';
  await cx.store.audit.append({
    time: new Date(), actor: cx.actor, action: event.action, resource: event.resource, decision, reason: event.reason,
    requestId: cx.requestId, clientIp: cx.clientIp,
  });
  cx.log.info({
    event: 'admin', actor: cx.actor, action: event.action, resource: event.resource, principal: event.principal, level: event.level ?? null, decision,
  }, event.reason);
}

/** The level `target` holds on the resource right now through this exact grant, or null. */
export async function currentGrantLevel(store: Store, target: GrantTarget): Promise<GrantLevel | null> {
  const all = await store.grants.listForResource(target.resourceType, target.resourceId);
  const hit = all.find((g) => g.principalType === target.principal.type && g.principal === target.principal.key);
  return hit?.level ?? null;
}

/**
 * Creates or changes a grant; returns the level it had before (null: it is new). `overrideParentDeny`
 * (grants on children, administrators only: the caller checks) lets the grant decide for the child
 * even under a DENY on the parent.
 */
export async function setGrant(cx: ChangeContext, target: GrantTarget, level: GrantLevel, overrideParentDeny = false): Promise<GrantLevel | null> {
  const previous = await currentGrantLevel(cx.store, target);
  await cx.store.grants.set({
    principalType: target.principal.type, principal: target.principal.key, resourceType: target.resourceType, resourceId: target.resourceId, level,
    ...(overrideParentDeny ? { overrideParentDeny: true } : {}),
  });
  const was = previous === null ? 'new grant' : `was ${previous}`;
  const override = overrideParentDeny ? ', overriding a DENY on the parent' : '';
  await recordChange(cx, {
    action: 'grant.set', resource: resourceLabel(target.resourceType, target.resourceId), level, principal: principalLabel(target.principal),
    reason: `${principalLabel(target.principal)} → ${level}${override} (${was})`,
  });
  return previous;
}

/** Deletes a grant; returns the level it had, or undefined when there was none (nothing recorded). */
export async function deleteGrant(cx: ChangeContext, target: GrantTarget): Promise<{ previous: GrantLevel | null } | undefined> {
  const previous = await currentGrantLevel(cx.store, target);
  const deleted = await cx.store.grants.delete(target.principal.type, target.principal.key, target.resourceType, target.resourceId);
  if (!deleted) return undefined;
  await recordChange(cx, {
    action: 'grant.delete', resource: resourceLabel(target.resourceType, target.resourceId), level: previous, principal: principalLabel(target.principal),
    reason: `${principalLabel(target.principal)} no longer has ${previous ?? 'a grant'}`,
  });
  return { previous };
}

export async function addPattern(cx: ChangeContext, principal: StoredPrincipal, rule: Omit<PatternRule, 'id' | 'principalType' | 'principal'>): Promise<PatternRule> {
  const added = await cx.store.grants.addPattern({ ...rule, principalType: principal.type, principal: principal.key });
  await recordChange(cx, {
    action: 'pattern.add', resource: `pattern:${added.id}`, level: added.level, principal: principalLabel(principal),
    reason: `${principalLabel(principal)} → ${added.level} on ${added.resourceType} matching ${added.matcher} ${JSON.stringify(added.pattern)}`,
  });
  return added;
}

/** Deletes a rule by id; returns it, or undefined when there was none (nothing recorded). */
export async function deletePattern(cx: ChangeContext, id: string, principalName: (r: PatternRule) => Promise<string>): Promise<PatternRule | undefined> {
  const rule = (await cx.store.grants.listPatterns()).find((r) => r.id === id);
  if (!rule || !(await cx.store.grants.deletePattern(id))) return undefined;
  const who = `${rule.principalType} ${await principalName(rule)}`;
  await recordChange(cx, {
    action: 'pattern.delete', resource: `pattern:${rule.id}`, level: rule.level, principal: who,
    reason: `removed: ${who} → ${rule.level} on ${rule.resourceType} matching ${rule.matcher} ${JSON.stringify(rule.pattern)}`,
  });
  return rule;
}

/** Changes a rule's pattern, matcher and/or level in place; returns it changed, or undefined when there was none. */
export async function updatePattern(cx: ChangeContext, id: string, changes: Partial<Pick<PatternRule, 'matcher' | 'pattern' | 'level'>>, principalName: (r: PatternRule) => Promise<string>): Promise<PatternRule | undefined> {
  const before = (await cx.store.grants.listPatterns()).find((r) => r.id === id);
  if (!before) return undefined;
  const after = await cx.store.grants.updatePattern(id, changes);
  if (!after) return undefined;
  const who = `${after.principalType} ${await principalName(after)}`;
  await recordChange(cx, {
    action: 'pattern.update', resource: `pattern:${after.id}`, level: after.level, principal: who,
    reason: `${who} → ${after.level} on ${after.resourceType} matching ${after.matcher} ${JSON.stringify(after.pattern)} (was ${before.level}, ${before.matcher} ${JSON.stringify(before.pattern)})`,
  });
  return after;
}

/** A refused change attempt by an authenticated caller: audited, since repeated ones are a signal. */
export async function recordRefusal(cx: ChangeContext, action: string, resource: string, reason: string): Promise<void> {
  await recordChange(cx, { action, resource, reason, decision: 'deny' });
}
