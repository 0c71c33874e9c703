import { sql, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from './migrations.js';
import type { Tables } from './schema.js';
import type { AuditEvent, AuditRecord, AuditStore } from './types.js';

function toRecord(r: Selectable<Tables['audit_events']>): AuditRecord {
  return {
    seq: Number(r.seq), time: new Date(Number(r.time)), actor: r.actor, action: r.action, resource: r.resource,
    decision: r.decision as AuditEvent['decision'], reason: r.reason, requestId: r.request_id, clientIp: r.client_ip,
  };
}

function toRow(e: AuditEvent) {
  return {
    time: e.time.getTime(), actor: e.actor, action: e.action, resource: e.resource, decision: e.decision, reason: e.reason,
    request_id: e.requestId, client_ip: e.clientIp,
  };
}

export function auditStore(db: Kysely<Tables>, dialect: Dialect): AuditStore {
  // Case-insensitive on both (SQLite's LIKE is, for ASCII; PostgreSQL needs ILIKE).
  const like = sql.raw(dialect === 'postgres' ? 'ilike' : 'like');
  /** `column` starts with `prefix`, taken literally (LIKE would treat % and _ in it as wildcards). */
  const startsWith = (column: 'action' | 'resource', prefix: string) =>
    sql<boolean>`${sql.ref(column)} ${like} ${`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;
  return {
    async append(e) {
      await db.insertInto('audit_events').values(toRow(e)).execute();
    },
    async appendMany(events) {
      if (events.length > 0) await db.insertInto('audit_events').values(events.map(toRow)).execute();
    },
    async list(opts) {
      let q = db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(opts.limit);
      if (opts.beforeSeq !== undefined) q = q.where('seq', '<', opts.beforeSeq);
      if (opts.before) q = q.where('time', '<', opts.before.getTime());
      if (opts.since) q = q.where('time', '>=', opts.since.getTime());
      if (opts.actor) q = q.where('actor', '=', opts.actor);
      if (opts.action) q = opts.action.endsWith('*') ? q.where(startsWith('action', opts.action.slice(0, -1))) : q.where('action', '=', opts.action);
      if (opts.decision) q = q.where('decision', '=', opts.decision);
      if (opts.resource) q = opts.resource.endsWith('*') ? q.where(startsWith('resource', opts.resource.slice(0, -1))) : q.where('resource', '=', opts.resource);
      return (await q.execute()).map(toRecord);
    },
    async prune(before) {
      const r = await db.deleteFrom('audit_events').where('time', '<', before.getTime()).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
