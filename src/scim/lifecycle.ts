// What a SCIM change does to a person's access. Deprovisioning (active → false, or DELETE) ends
// every session and revokes every personal token at once, on every replica (the store's writes
// publish on the invalidation bus), and is audited; reactivation enables the account again but
// never brings back a revoked token.
import type { FastifyRequest } from 'fastify';
import type { Gateway } from '../pipeline/gateway.js';
import type { NewScimUser, ScimToken, ScimUser } from '../store/index.js';

export interface ScimActor {
  readonly token: ScimToken;
  readonly req: FastifyRequest;
}

const actorName = (a: ScimActor) => `scim:${a.token.name}`;

export async function audit(gw: Gateway, a: ScimActor, action: string, resource: string, reason: string | null): Promise<void> {
  await gw.store.audit.append({ time: new Date(), actor: actorName(a), action, resource, decision: 'info', reason, requestId: a.req.id, clientIp: a.req.ip });
}

/** Cuts every credential of the account now: sessions and personal tokens (the account itself is disabled by the caller's write). */
export async function deprovision(gw: Gateway, a: ScimActor, userId: string, username: string, why: string): Promise<void> {
  const now = new Date();
  const sessions = await gw.store.sessions.deleteForUser(userId);
  const tokens = await gw.store.tokens.revokeAllForUser(userId, now);
  a.req.log.info({ event: 'scim.deprovision', user: username, sessions, tokens }, 'deprovisioned by SCIM');
  await audit(gw, a, 'scim.deprovision', `user:${username}`, `${why}: ${sessions} session(s) ended, ${tokens} token(s) revoked`);
}

/** Stores a changed user and applies what the change of `active` means. False when If-Match no longer holds. */
export async function applyUserChange(gw: Gateway, a: ScimActor, before: ScimUser, next: NewScimUser, ifVersion?: number): Promise<boolean> {
  if (!(await gw.store.scim.updateUser(before.userId, next, new Date(), ifVersion))) return false;
  if (before.active && !next.active) await deprovision(gw, a, before.userId, next.username, 'active set to false');
  else if (!before.active && next.active) await audit(gw, a, 'scim.reactivate', `user:${next.username}`, 'active set to true (revoked tokens stay revoked)');
  else await audit(gw, a, 'scim.user.update', `user:${next.username}`, before.username !== next.username ? `userName ${before.username} → ${next.username}` : null);
  return true;
}
