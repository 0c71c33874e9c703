import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../proxy/headers.js';
import { loginCookieName } from '../../session/cookies.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';

/** Step 6: stream the request to MLflow and the answer back; nothing is buffered unless a step read the JSON body. */
export function forward(gw: Gateway, req: FastifyRequest, reply: FastifyReply, ctx: RequestContext): FastifyReply {
  const upstream = new URL(gw.config.upstreamUrl);
  const target = `${upstream.pathname.replace(/\/$/, '')}${ctx.path}${ctx.query ? `?${ctx.query}` : ''}`;
  const user = ctx.principal?.user;
  const options: Parameters<FastifyReply['from']>[1] = {
    rewriteRequestHeaders: (r) =>
      upstreamRequestHeaders(r.headers, {
        upstreamHost: upstream.host,
        clientIp: ctx.clientIp,
        proto: req.protocol === 'https' ? 'https' : 'http',
        requestId: ctx.requestId,
        identity: user && { username: user.username, email: user.email, groups: user.groups },
        gatewayCookies: [gw.config.cookieName, loginCookieName(gw.config)],
      }),
    rewriteHeaders: (headers) => clientResponseHeaders(headers),
    onError: (rep, { error }) => {
      const code = (error as { code?: string }).code ?? '';
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const timeout = /TIMEOUT/i.test(code) || /TIMEOUT/i.test(cause?.code ?? '') || (error as { statusCode?: number }).statusCode === 504;
      const err = timeout
        ? new GatewayError('GW_UPSTREAM_TIMEOUT', `MLflow did not answer within ${gw.config.upstreamTimeout}s`, { detail: cause?.message ?? error.message })
        : new GatewayError('GW_UPSTREAM_UNAVAILABLE', 'MLflow is unreachable; try again shortly', { detail: cause?.message ?? error.message });
      req.log.warn({ event: 'upstream.error', code: err.code, detail: err.detail }, 'upstream request failed');
      if (!rep.sent) void rep.code(err.status).type('application/json').send(err.toJSON());
    },
  };
  if (ctx.body !== undefined) {
    options.body = ctx.body;
    options.contentType = String(req.headers['content-type'] ?? 'application/json');
  }
  // Returned to fastify so it knows the reply is sent asynchronously by reply-from (not an empty 200).
  return reply.from(target, options);
}
