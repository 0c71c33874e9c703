// GET <mount>/_gateway/api/v1/audit (filters, newest first, paged by seq) and audit/export
// (CSV or JSON). Administrators see every event; anyone else sees their own events only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { AuditQuery } from '../store/index.js';
import { auditJson, CSV_COLUMNS, csvRow } from './audit-json.js';
import { adminCaller, type Caller } from './caller.js';
import { badRequest, oneOf, onlyFields, optionalInt, optionalText, type Fields } from './input.js';
import { isFullAdmin } from './permissions.js';

const FILTERS = ['actor', 'action', 'decision', 'resource', 'from', 'to'] as const;
const MAX_PAGE = 500;
/** An export is one request: large enough for a year of a small team, bounded for the server. */
const MAX_EXPORT = 100_000;

export function registerAuditRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/audit`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const query = req.query as Fields;
    onlyFields(query, [...FILTERS, 'cursor', 'limit'], 'query');
    const filters = scopedFilters(caller, query);
    const limit = optionalInt(query, 'limit', 1, MAX_PAGE) ?? 100;
    const cursor = optionalInt(query, 'cursor', 1, Number.MAX_SAFE_INTEGER);
    const events = await gw.store.audit.list({ ...filters, limit, beforeSeq: cursor });
    const last = events.at(-1);
    // A full page may have more behind it: its last seq is the cursor of the next one.
    return { events: events.map((e) => auditJson(e, isFullAdmin(caller))), next_cursor: events.length === limit && last ? String(last.seq) : null };
  });

  app.get(`${base}/audit/export`, async (req: FastifyRequest, reply: FastifyReply) => {
    const caller = await adminCaller(gw, req, reply);
    const query = req.query as Fields;
    onlyFields(query, [...FILTERS, 'format'], 'query');
    const format = query.format === undefined ? 'json' : oneOf(query, 'format', ['csv', 'json'] as const);
    const filters = scopedFilters(caller, query);
    const rows = [];
    let cursor: number | undefined;
    while (rows.length < MAX_EXPORT) {
      const page = await gw.store.audit.list({ ...filters, limit: 1000, beforeSeq: cursor });
      rows.push(...page.map((e) => auditJson(e, isFullAdmin(caller))));
      if (page.length < 1000) break;
      cursor = page.at(-1)!.seq;
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    void reply.header('content-disposition', `attachment; filename="gateway-audit-${stamp}.${format}"`);
    if (format === 'csv') {
      return reply.type('text/csv; charset=utf-8').send(`${CSV_COLUMNS.join(',')}\r\n${rows.map(csvRow).join('')}`);
    }
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(rows));
  });
}

/** The caller's filters; a non-administrator's are pinned to their own events. */
function scopedFilters(caller: Caller, query: Fields): Omit<AuditQuery, 'limit'> {
  const actor = optionalText(query, 'actor');
  if (isFullAdmin(caller)) caller.ctx.decision = 'allow: administrator';
  else {
    if (actor !== undefined && actor !== caller.user.username) throw new GatewayError('GW_DENIED', 'Only administrators may read the audit events of other users');
    caller.ctx.decision = 'allow: own audit events';
  }
  return {
    actor: isFullAdmin(caller) ? actor : caller.user.username,
    action: optionalText(query, 'action'),
    decision: query.decision === undefined ? undefined : oneOf(query, 'decision', ['allow', 'deny', 'info'] as const),
    resource: optionalText(query, 'resource'),
    since: time(query, 'from'),
    before: time(query, 'to'),
  };
}

function time(query: Fields, field: 'from' | 'to'): Date | undefined {
  const v = optionalText(query, field);
  if (v === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw badRequest(`${field} must be an ISO 8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z`);
  return new Date(t);
}
