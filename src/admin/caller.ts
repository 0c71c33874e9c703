// Who is calling the admin API. The same authenticate and CSRF steps as proxied MLflow calls
// (bearer JWT or session cookie; cookie-borne writes must be same-origin), so the admin surface
// can never be easier to reach than MLflow itself.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../pipeline/context.js';
import type { Gateway } from '../pipeline/gateway.js';
import { authenticate } from '../pipeline/steps/authenticate.js';
import { checkCsrf } from '../pipeline/steps/csrf.js';
import { unauthenticated } from '../pipeline/steps/require-identity.js';
import { assertTokenAllowsAdmin } from '../pipeline/token-limits.js';
import type { Subject } from '../policy/index.js';
import type { User } from '../store/index.js';
import type { ChangeContext } from './changes.js';

export interface Caller {
  readonly user: User;
  /** The policy's view of the caller, narrowed by the limits of a personal token if one was used. */
  readonly subject: Subject;
  /** Limits of the credential (read-only or resource-scoped personal token), else empty. */
  readonly limits: Pick<Subject, 'maxLevel' | 'scope'>;
  readonly ctx: RequestContext;
  /** Where this caller's changes are audited and logged. */
  readonly changes: ChangeContext;
}

export async function adminCaller(gw: Gateway, req: FastifyRequest, reply: FastifyReply): Promise<Caller> {
  const path = (req.url.split('?')[0] ?? '/').slice(gw.config.basePath.length);
  const ctx: RequestContext = { requestId: req.id, clientIp: req.ip, path, query: '' };
  reply.locals = ctx; // read by the access-log hook (user, decision)
  await authenticate(gw, req, ctx);
  if (!ctx.principal) throw unauthenticated(gw, req);
  checkCsrf(gw, req, ctx);
  assertTokenAllowsAdmin(req.method, ctx.principal);
  const user = ctx.principal.user;
  const limits = ctx.principal.limits ?? {};
  const subject = gw.access.subjectOf(user, limits);
  ctx.subject = subject;
  return {
    user, subject, limits, ctx,
    changes: { store: gw.store, log: req.log, actor: user.username, requestId: req.id, clientIp: req.ip },
  };
}
