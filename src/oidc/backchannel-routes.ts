import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, toGatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { readBody } from '../pipeline/request-body.js';
import { createFailureLimiter } from '../tokens/failure-limiter.js';
import { createLogoutTokenVerifier } from './backchannel-logout.js';
import type { ProviderEntry } from './providers/registry.js';

/** A logout token is a few hundred bytes; nothing else belongs in the body. */
const MAX_BODY = 16 * 1024;

/**
 * Refused logout tokens per client address and minute before that address is answered 429 without
 * verifying: an IdP sends valid tokens, so a flood of bad ones is someone filling the audit log or
 * spending the gateway's signature checks and store writes. Memory is bounded (oldest addresses go first).
 */
export const REFUSED_LOGOUT_TOKENS_PER_MINUTE = 30;
const MAX_TRACKED_ADDRESSES = 10_000;

/** Where provider `id` sends its logout tokens (the URL to register at the IdP is `<public URL>` + this). */
export const backchannelLogoutPath = (id: string) => `/_gateway/backchannel-logout/${id}`;

/**
 * One back-channel logout endpoint per OpenID Connect provider (GitHub has no such thing). The
 * IdP POSTs `logout_token` form-encoded; the answer is 200 when it was accepted (also when no
 * session matched: the IdP must not learn whether someone had a session here) and 400 with an
 * OAuth-style error otherwise, as §2.8 asks. Never cached.
 */
export function registerBackchannelLogoutRoutes(app: FastifyInstance, gw: Gateway): void {
  const refusals = createFailureLimiter(REFUSED_LOGOUT_TOKENS_PER_MINUTE, 60_000, MAX_TRACKED_ADDRESSES);
  for (const provider of gw.providers.all) {
    if (provider.config.kind !== 'oidc') continue;
    const verify = createLogoutTokenVerifier(gw.config, provider, gw.store.oneTimeIds);
    app.post(`${gw.config.basePath}${backchannelLogoutPath(provider.config.id)}`, (req, reply) => handle(provider, verify, req, reply));
  }

  async function handle(provider: ProviderEntry, verify: ReturnType<typeof createLogoutTokenVerifier>, req: FastifyRequest, reply: FastifyReply) {
    void reply.header('cache-control', 'no-store');
    const key = [`ip:${req.ip}`];
    try {
      refusals.assertAllowed(key);
    } catch (err) {
      const limited = toGatewayError(err);
      req.log.debug({ event: 'refused', code: limited.code, provider: provider.config.id }, limited.message);
      return reply.code(429).headers(limited.headers).type('application/json')
        .send({ error: 'temporarily_unavailable', error_description: `Too many refused logout tokens from this address; ${limited.message.replace(/^.*; /, '')}`, gateway_code: limited.code });
    }
    try {
      const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') throw new GatewayError('GW_LOGOUT_TOKEN_INVALID', 'Send logout_token form-encoded (Content-Type: application/x-www-form-urlencoded)');
      const form = new URLSearchParams((await readBody(req, MAX_BODY)).toString('utf8'));
      const tokens = form.getAll('logout_token');
      if (tokens.length !== 1 || !tokens[0]) throw new GatewayError('GW_LOGOUT_TOKEN_INVALID', 'The request needs exactly one logout_token');
      const { match } = await verify(tokens[0]);
      const ended = await gw.store.sessions.deleteByIdp(match);
      const perUser = new Map<string, number>();
      for (const s of ended) perUser.set(s.userId, (perUser.get(s.userId) ?? 0) + 1);
      for (const [userId, count] of perUser) {
        const username = (await gw.store.users.get(userId))?.username ?? null;
        await gw.store.audit.append({
          time: new Date(), actor: username, action: 'logout.backchannel', resource: null, decision: 'info',
          reason: `${provider.config.id} ended the IdP ${match.sidKey ? 'session' : 'sessions of the subject'}: ${count} gateway session(s) ended`, requestId: req.id, clientIp: req.ip,
        });
      }
      req.log.info({ event: 'logout.backchannel', provider: provider.config.id, sessions: ended.length, by: match.sidKey ? 'sid' : 'sub' }, 'back-channel logout');
      return reply.code(200).send();
    } catch (err) {
      const refused = toGatewayError(err);
      if (refused.status >= 500) throw err;
      refusals.recordFailure(key);
      req.log.info({ event: 'refused', code: refused.code, provider: provider.config.id }, refused.message);
      await gw.store.audit.append({
        time: new Date(), actor: null, action: 'logout.backchannel.refused', resource: null, decision: 'deny', reason: `${refused.code}: ${refused.message}`, requestId: req.id, clientIp: req.ip,
      }).catch(() => undefined);
      return reply.code(400).type('application/json').send({ error: 'invalid_request', error_description: refused.message, gateway_code: refused.code });
    }
  }
}
