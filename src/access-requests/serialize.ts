import type { Gateway } from '../pipeline/gateway.js';
import type { AccessRequest } from '../store/index.js';
import { resourceName } from '../admin/permissions.js';

/**
 * An access request as the API shows it. The resource's name is shown to those who may decide
 * (they manage it); the requester named it by id and sees the id.
 */
export async function requestJson(gw: Gateway, r: AccessRequest, opts: { requester?: string; withName?: boolean; canDecide?: boolean } = {}): Promise<Record<string, unknown>> {
  const requester = opts.requester ?? (await gw.store.users.get(r.requesterId))?.username ?? r.requesterId;
  const name = opts.withName ? await resourceName(gw, { type: r.resourceType, id: r.resourceId }).catch(() => undefined) : undefined;
  return {
    id: r.id, requester, resource_type: r.resourceType, resource_id: r.resourceId, resource_name: name ?? null, level: r.level, message: r.message,
    status: r.status, created_at: r.createdAt.toISOString(), expires_at: r.expiresAt.toISOString(),
    decided_at: r.decidedAt?.toISOString() ?? null, decided_by: r.decidedBy, note: r.decisionNote, can_decide: opts.canDecide ?? false,
  };
}
