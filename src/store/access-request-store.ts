// Access requests as rows. "Expired" is not written by a timer: a pending request whose expiry
// has passed reads as expired and can no longer be decided, on every replica alike.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Level, ResourceType } from '../policy/types.js';
import type { Tables } from './schema.js';
import type { AccessRequest, AccessRequestStatus, AccessRequestStore } from './types.js';

type Row = Selectable<Tables['access_requests']>;

function toRequest(r: Row, now: Date): AccessRequest {
  const expiresAt = new Date(Number(r.expires_at));
  const stored = r.status as AccessRequestStatus;
  return {
    id: r.id, requesterId: r.requester_id, resourceType: r.resource_type as ResourceType, resourceId: r.resource_id, level: r.level as Level,
    message: r.message, status: stored === 'pending' && expiresAt <= now ? 'expired' : stored,
    createdAt: new Date(Number(r.created_at)), expiresAt,
    decidedAt: r.decided_at === null ? null : new Date(Number(r.decided_at)), decidedBy: r.decided_by, decisionNote: r.decision_note,
  };
}

export function accessRequestStore(db: Kysely<Tables>): AccessRequestStore {
  return {
    async create(r) {
      const row: Row = {
        id: `ar_${randomUUID().replace(/-/g, '').slice(0, 20)}`, requester_id: r.requesterId, resource_type: r.resourceType, resource_id: r.resourceId,
        level: r.level, message: r.message, status: 'pending', created_at: r.createdAt.getTime(), expires_at: r.expiresAt.getTime(),
        decided_at: null, decided_by: null, decision_note: null,
      };
      await db.insertInto('access_requests').values(row).execute();
      return toRequest(row, r.createdAt);
    },
    async get(id, now) {
      const r = await db.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toRequest(r, now);
    },
    async list(q) {
      let query = db.selectFrom('access_requests').selectAll();
      const at = q.now.getTime();
      if (q.status === 'pending') query = query.where('status', '=', 'pending').where('expires_at', '>', at);
      else if (q.status === 'expired') query = query.where('status', '=', 'pending').where('expires_at', '<=', at);
      else if (q.status !== undefined) query = query.where('status', '=', q.status);
      if (q.requesterId !== undefined) query = query.where('requester_id', '=', q.requesterId);
      if (q.resource !== undefined) query = query.where('resource_type', '=', q.resource.type).where('resource_id', '=', q.resource.id);
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
      return rows.map((r) => toRequest(r, q.now));
    },
    async decide(id, d) {
      return db.transaction().execute(async (trx) => {
        const r = await trx.updateTable('access_requests')
          .set({ status: d.status, decided_at: d.now.getTime(), decided_by: d.by, decision_note: d.note })
          .where('id', '=', id).where('status', '=', 'pending').where('expires_at', '>', d.now.getTime())
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        if (d.status === 'approved') {
          const g = d.grant;
          await trx.insertInto('grants')
            .values({ principal_type: g.principalType, principal: g.principal, resource_type: g.resourceType, resource_id: g.resourceId, level: g.level, created_at: d.now.getTime() })
            .onConflict((oc) => oc.columns(['resource_type', 'resource_id', 'principal_type', 'principal']).doUpdateSet({ level: g.level }))
            .execute();
        }
        return true;
      });
    },
  };
}
