// `GET _gateway/api/v1/whoami` for programs: who a bearer or Basic credential acts as, and which
// personal token or trust rule it is (the CLI's `whoami`). Never the secret.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { RequestContext } from '../pipeline/context.js';
import type { Gateway } from '../pipeline/gateway.js';
import { authenticate } from '../pipeline/steps/authenticate.js';
import { tokenJson } from './json.js';

export async function whoamiByCredential(gw: Gateway, req: FastifyRequest, reply: FastifyReply): Promise<Record<string, unknown>> {
  const ctx: RequestContext = { requestId: req.id, clientIp: req.ip, path: (req.url.split('?')[0] ?? '/').slice(gw.config.basePath.length), query: '' };
  reply.locals = ctx; // read by the access-log hook
  await authenticate(gw, req, ctx);
  const p = ctx.principal;
  if (!p) throw new GatewayError('GW_UNAUTHENTICATED', 'Not authenticated', { headers: { 'www-authenticate': 'Bearer realm="mlflow"' } });
  ctx.decision = 'allow: whoami';
  const u = p.user;
  const token = p.tokenId !== undefined ? await gw.store.tokens.get(p.tokenId) : undefined;
  return {
    username: u.username, email: u.email, display_name: u.displayName, groups: u.groups, is_admin: u.isAdmin, kind: u.kind,
    auth_method: p.method, token: token ? tokenJson(token, u) : null, trust_rule: p.trustRule ?? null,
  };
}
