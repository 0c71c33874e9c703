// Audit events for requests, written once the request's fate is final (fastify's onResponse):
// every denied request (401/403/429), and every allowed write or delete that went through the
// proxy. Admin API changes are audited by their handlers, with more detail, so only their denials
// are recorded here. Never the query string, a header or a body: only ids the route names.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { extractIds } from '../mlflow/index.js';
import type { RequestContext } from '../pipeline/context.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { AuditEvent } from '../store/index.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Separates the part of an audit reason that only administrators read (a denial's looked-up names
 * and deciding rule) from the rest; people reading their own events get the reason up to it.
 */
export const ADMIN_ONLY_MARK = ' | admin-only detail: ';

/** The reason as shown to someone who is not an administrator. */
export function publicAuditReason(reason: string | null): string | null {
  if (reason === null) return null;
  const i = reason.indexOf(ADMIN_ONLY_MARK);
  return i < 0 ? reason : reason.slice(0, i);
}
const DENIED = new Set([401, 403, 429]);

/** Fire and forget: the response is already on its way; a failure is logged, never thrown. */
export function auditRequest(gw: Gateway, req: FastifyRequest, reply: FastifyReply): void {
  const ctx = reply.locals;
  if (!ctx) return;
  const event = eventFor(req.method, reply.statusCode, ctx);
  if (!event) return;
  void gw.store.audit.append(event).catch((err: unknown) => {
    req.log.error({ event: 'audit.failed', action: event.action, reason: (err as Error).message }, 'could not write an audit event');
  });
}

export function eventFor(method: string, status: number, ctx: RequestContext): AuditEvent | undefined {
  const proxied = !ctx.path.startsWith('/_gateway/');
  const denied = DENIED.has(status);
  let action: string;
  if (denied) action = 'request.denied';
  else if (proxied && status < 400 && isWrite(method, ctx)) action = deletes(ctx) ? 'request.delete' : 'request.write';
  else return undefined;
  const what = ctx.route?.rpc ?? ctx.path;
  return {
    time: new Date(), actor: ctx.principal?.user.username ?? null, action, resource: resourceOf(method, ctx) ?? ctx.named ?? null,
    decision: denied ? 'deny' : 'allow',
    reason: `${method} ${what} → ${status}${ctx.decision ? ` (${ctx.decision})` : ''}${ctx.error ? `: ${ctx.error}` : ''}${ctx.decisionDetail ? `${ADMIN_ONLY_MARK}${ctx.decisionDetail}` : ''}`.slice(0, 1000),
    requestId: ctx.requestId, clientIp: ctx.clientIp,
  };
}

function requirementOf(ctx: RequestContext) {
  const r = ctx.route?.requirement;
  return r?.kind === 'blocked' ? r.ifEnabled : r;
}

/** A state-changing method on anything but a search, a read or an invocation (POST searches are reads). */
function isWrite(method: string, ctx: RequestContext): boolean {
  if (SAFE.has(method)) return false;
  const r = requirementOf(ctx);
  if (!r) return true; // an unknown route, reached by an administrator
  if (r.kind === 'filtered' || r.kind === 'public') return false;
  if (r.kind === 'resource') return r.action !== 'read' && r.action !== 'use';
  return true;
}

function deletes(ctx: RequestContext): boolean {
  const r = requirementOf(ctx);
  return r?.kind === 'resource' && r.action === 'delete';
}

/** `experiment:12`, `run:ab12…`, `model:churn` — from the ids the route names, never free text. */
function resourceOf(method: string, ctx: RequestContext): string | null {
  const route = ctx.route;
  const r = requirementOf(ctx);
  if (!route || !r) return null;
  if (r.kind === 'create') {
    const name = (ctx.json as { name?: unknown } | undefined)?.name;
    return `${r.resource}:${typeof name === 'string' ? name.slice(0, 200) : 'new'}`;
  }
  if (r.kind !== 'resource' && r.kind !== 'filtered') return null;
  const extracted = extractIds(route, { method, query: new URLSearchParams(ctx.query), body: ctx.json, params: ctx.params ?? {}, headers: {} });
  if (!extracted.ok) return null;
  const labels = extracted.ids.flatMap((id) => id.values.map((v) => `${id.kind.replace(/_(id|name)$/, '')}:${v}`));
  return labels.length > 0 ? labels.slice(0, 5).join(',').slice(0, 500) : null;
}
