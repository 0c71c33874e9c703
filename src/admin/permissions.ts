// Who may do what on the admin surface.
//
//   administrators            everything
//   MANAGE on a resource      list, set and delete the grants on THAT resource (sharing), within
//                             the no-self-escalation rule below
//   anyone else               nothing, except explaining their own access
//
// MANAGE is decided by AccessControl.check (the same decision the proxy makes), never re-derived.
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { levelRank, type Level } from '../policy/index.js';
import type { Caller } from './caller.js';
import type { ResourceRef } from './input.js';
import type { StoredPrincipal } from './principals.js';

export function requireAdmin(caller: Caller, what: string): void {
  if (!caller.user.isAdmin) throw new GatewayError('GW_DENIED', `Only administrators may ${what}`);
}

/** The caller must be an administrator or hold MANAGE on the resource. */
export async function requireManage(gw: Gateway, caller: Caller, resource: ResourceRef): Promise<void> {
  if (caller.user.isAdmin) return;
  const decision = await gw.access.check(caller.subject, 'manage', { type: resource.type, id: resource.id });
  if (!decision.allow) {
    throw new GatewayError('GW_DENIED', `Managing the grants of ${resource.type} ${resource.id} needs MANAGE on it (you have ${decision.level})`, {
      detail: decision.reason,
    });
  }
}

/** Whether a grant to this principal counts towards the caller's own level. */
export function reachesCaller(caller: Caller, principal: StoredPrincipal): boolean {
  return principal.type === 'user' ? principal.key === caller.user.id : caller.user.groups.includes(principal.name);
}

/**
 * No self-escalation. A manager who is not an administrator may only LOWER the grants that reach
 * themselves (their user grant, or a grant to a group they are in); they may never create or
 * raise one. Without this, MANAGE held through a group or a pattern rule could be turned into a
 * personal grant that outlives it (removal from the group would no longer revoke it), or a
 * manager could widen what their group — and so they themselves — hold.
 *
 * `next` is the new level, or 'delete'. A deletion is only safe at MANAGE: removing a lower grant
 * lets the next rule in line decide (a group grant, a pattern, the default), which may be higher —
 * and removing a NO_PERMISSIONS group grant lifts a deny. Setting NO_PERMISSIONS achieves the
 * removal without that risk, so the message suggests it.
 */
export function assertNoSelfEscalation(caller: Caller, principal: StoredPrincipal, current: Level | null, next: Level | 'delete'): void {
  if (caller.user.isAdmin || !reachesCaller(caller, principal)) return;
  const whose = principal.type === 'user' ? 'your own grant' : `the grant of group ${principal.name}, which you are in`;
  if (next === 'delete') {
    if (current === null || current === 'MANAGE') return;
    throw new GatewayError('GW_DENIED', `No self-escalation: deleting ${whose} (${current}) could raise your own level; set it to NO_PERMISSIONS instead, or ask an administrator`);
  }
  if (current === null) {
    throw new GatewayError('GW_DENIED', `No self-escalation: only an administrator may create ${whose}`);
  }
  if (levelRank(next) > levelRank(current)) {
    throw new GatewayError('GW_DENIED', `No self-escalation: you may lower ${whose} but not raise it (${current} → ${next}); ask an administrator`);
  }
}
