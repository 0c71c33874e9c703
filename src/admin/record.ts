import type { Caller } from './caller.js';

/** One audit event (and, through the store, one log line) for an admin action of `caller`. */
export async function recordAction(caller: Caller, action: string, resource: string, reason: string, decision: 'allow' | 'deny' = 'allow'): Promise<void> {
  const cx = caller.changes;
  await cx.store.audit.append({ time: new Date(), actor: cx.actor, action, resource, decision, reason, requestId: cx.requestId, clientIp: cx.clientIp });
}
