// Who may do what on the admin surface.
//
//   administrators            everything
//   MANAGE on a resource      list, set and delete the grants on THAT resource (sharing), within
//                             the no-self-escalation rule below
//   anyone else               nothing, except explaining their own access
//
// MANAGE is decided by AccessControl.check (the same decision the proxy makes), never re-derived.
// A personal token narrows all of this like it narrows MLflow calls: a read-only token only reads,
// a token scoped to listed resources never reaches administrator endpoints and manages at most
// the resources in its scope — an administrator's token included.
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { decide, grantLevelRank, type GrantLevel, type Grant, type Level, type Resource } from '../policy/index.js';
import type { Caller } from './caller.js';
import type { ResourceRef } from './input.js';
import type { StoredPrincipal } from './principals.js';

/** Reading (listing, explaining) or changing. */
export type Mode = 'read' | 'write';

/** An administrator using a credential without limits: may do everything without further checks. */
export function isFullAdmin(caller: Caller): boolean {
  return caller.user.isAdmin && caller.limits.maxLevel === undefined && caller.limits.scope === undefined;
}

export function requireAdmin(caller: Caller, what: string, mode: Mode): void {
  if (!caller.user.isAdmin) throw new GatewayError('GW_DENIED', `Only administrators may ${what}`);
  if (caller.limits.scope !== undefined) throw new GatewayError('GW_DENIED', `A token limited to listed resources cannot ${what}`);
  if (mode === 'write' && caller.limits.maxLevel !== undefined) throw new GatewayError('GW_DENIED', `This token is read-only: it cannot ${what}`);
}

/**
 * The caller must be an administrator or hold MANAGE on the resource. For reading the grants, a
 * read-only token counts as its owner (it reads what its owner may read); its scope still applies.
 */
export async function requireManage(gw: Gateway, caller: Caller, resource: ResourceRef, mode: Mode): Promise<void> {
  if (isFullAdmin(caller)) return;
  const subject = mode === 'read' && caller.limits.maxLevel !== undefined
    ? gw.access.subjectOf(caller.user, caller.limits.scope !== undefined ? { scope: caller.limits.scope } : {})
    : caller.subject;
  const decision = await gw.access.check(subject, 'manage', await policyResource(gw, resource));
  if (!decision.allow) {
    const verb = mode === 'read' ? 'Listing' : 'Changing';
    throw new GatewayError('GW_DENIED', `${verb} the grants of ${resource.type} ${resource.id} needs MANAGE on it (you have ${decision.level})`, {
      detail: decision.reason,
    });
  }
}

/** Whether a grant to this principal counts towards the caller's own level. */
export function reachesCaller(caller: Caller, principal: StoredPrincipal): boolean {
  return principal.type === 'user' ? principal.key === caller.user.id : caller.user.groups.includes(principal.name);
}

/** The caller's own effective level on the resource now, and what it would be after a change. */
export interface OwnLevels {
  readonly before: Level;
  readonly after: Level;
}

/**
 * No self-escalation. A manager who is not an administrator may never create or raise their own
 * USER grant: MANAGE held through a group or a pattern rule would become a personal grant that
 * outlives it (removal from the group would no longer revoke it).
 *
 * A grant to a group they are in is how an owner shares with their own team, so it is allowed up
 * to the sharer's own level on that resource — provided the change does not raise the sharer's
 * own effective level (`own`, computed by the policy itself on the grants as they would be after
 * the change, so it stays right whatever the precedence rules become). Without `own` (no
 * simulation available) creating or raising such a grant is refused, as before.
 *
 * `next` is the new level, or 'delete'. Removing a lower grant lets the next rule in line decide (a
 * group grant, a pattern, the default), which may be higher — and removing a NO_PERMISSIONS or DENY
 * group grant lifts a deny (DENY ranks below NO_PERMISSIONS, so setting one's own grant to DENY is a
 * lowering). So a deletion below MANAGE is allowed only for a group grant whose removal
 * the policy says leaves one's own level where it is (un-sharing with one's own team); a personal
 * grant below MANAGE is never deleted by its holder (setting NO_PERMISSIONS achieves the removal
 * without the risk, so the message suggests it).
 */
export function assertNoSelfEscalation(caller: Caller, principal: StoredPrincipal, current: GrantLevel | null, next: GrantLevel | 'delete', own?: OwnLevels): void {
  if (isFullAdmin(caller) || !reachesCaller(caller, principal)) return;
  const whose = principal.type === 'user' ? 'your own grant' : `the grant of group ${principal.name}, which you are in`;
  if (next === 'delete') {
    if (current === null || current === 'MANAGE') return;
    // Un-sharing with one's own team: allowed when the policy says one's own level does not rise.
    if (principal.type === 'group' && own !== undefined && grantLevelRank(own.after) <= grantLevelRank(own.before)) return;
    throw new GatewayError('GW_DENIED', `No self-escalation: deleting ${whose} (${current}) could raise your own level; set it to NO_PERMISSIONS instead, or ask an administrator`);
  }
  if (current !== null && grantLevelRank(next) <= grantLevelRank(current)) return; // lowering (or unchanged) never raises anyone
  if (principal.type === 'group' && own !== undefined) {
    if (grantLevelRank(next) > grantLevelRank(own.before)) {
      throw new GatewayError('GW_DENIED', `No self-escalation: you may share with group ${principal.name}, which you are in, at most at your own level (${own.before}), not ${next}; ask an administrator`);
    }
    if (grantLevelRank(own.after) > grantLevelRank(own.before)) {
      throw new GatewayError('GW_DENIED', `No self-escalation: giving group ${principal.name}, which you are in, ${next} would raise your own level (${own.before} → ${own.after}); ask an administrator`);
    }
    return;
  }
  if (current === null) {
    throw new GatewayError('GW_DENIED', `No self-escalation: only an administrator may create ${whose}`);
  }
  throw new GatewayError('GW_DENIED', `No self-escalation: you may lower ${whose} but not raise it (${current} → ${next}); ask an administrator`);
}

/**
 * The caller's level on the resource now and with `principal`'s grant set to `next` (or deleted): the same
 * policy function the proxy uses, on the same facts, with that one grant replaced. Pure apart
 * from reading the facts once.
 */
export async function ownLevelsAround(gw: Gateway, caller: Caller, resource: ResourceRef, principal: StoredPrincipal, next: GrantLevel | 'delete'): Promise<OwnLevels> {
  const target = await policyResource(gw, resource);
  const ex = await gw.access.explain(caller.subject, 'manage', target);
  const grants: Grant[] = ex.considered.grants
    .map((c) => c.grant)
    .filter((g) => !(g.principalType === principal.type && g.principal === principal.key && g.resourceType === resource.type && g.resourceId === resource.id));
  if (next !== 'delete') grants.push({ principalType: principal.type, principal: principal.key, resourceType: resource.type, resourceId: resource.id, level: next });
  const facts = { grants, patterns: ex.considered.patterns.map((c) => c.rule), defaultLevel: ex.considered.defaultLevel };
  return { before: ex.decision.level, after: decide(caller.subject, 'manage', target, facts).level };
}

/**
 * The resource as the policy decides on it: with its name, and for a child (run, trace, logged
 * model, model or prompt version) with its parent, asked of MLflow through the resolver — so the
 * owner of an experiment manages its runs' grants as the proxy would decide. A child MLflow does
 * not know (or cannot be asked about) is decided without a parent: only its own grants count.
 */
export async function policyResource(gw: Gateway, resource: ResourceRef): Promise<Resource> {
  const child = await resolvedChild(gw, resource);
  if (child) return child;
  return { type: resource.type, id: resource.id, name: await resourceName(gw, resource) };
}

async function resolvedChild(gw: Gateway, resource: ResourceRef): Promise<Resource | undefined> {
  switch (resource.type) {
    case 'run':
    case 'trace':
    case 'logged_model': {
      const kind = resource.type === 'run' ? 'run_id' : resource.type === 'trace' ? 'trace_id' : 'logged_model_id';
      const r = await gw.resolver.resolve(kind, resource.id);
      const found = r.ok ? r.resources[0] : undefined;
      return found?.parent ? found : { type: resource.type, id: resource.id };
    }
    case 'model_version':
    case 'prompt_version': {
      const cut = resource.id.lastIndexOf('/');
      if (cut <= 0) return { type: resource.type, id: resource.id, name: resource.id };
      const name = resource.id.slice(0, cut);
      const parentType = resource.type === 'model_version' ? 'registered_model' : 'prompt';
      return { type: resource.type, id: resource.id, name: resource.id, parent: { type: parentType, id: name, name } };
    }
    default:
      return undefined;
  }
}

/**
 * Pattern rules match names, and the admin API is given ids: an experiment's name is asked of
 * MLflow (through the resolver's cache) so MANAGE held through a name pattern counts here as it
 * does on the proxy. Registered models and endpoints are named by their id already.
 */
export async function resourceName(gw: Gateway, resource: ResourceRef): Promise<string | undefined> {
  if (resource.type !== 'experiment') return resource.type === 'registered_model' || resource.type === 'prompt' ? resource.id : undefined;
  const r = await gw.resolver.resolve('experiment_id', resource.id);
  return r.ok ? r.resources[0]?.name : undefined;
}
