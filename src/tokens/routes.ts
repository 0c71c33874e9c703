import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireJsonObject } from '../admin/body.js';
import { adminCaller, type Caller } from '../admin/caller.js';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { ApiToken, User } from '../store/index.js';
import { registerCliConfigRoute } from './cli-config-route.js';
import { parseTokenRequest, tokenJson } from './json.js';
import type { Actor } from './service.js';

// Self-service personal access tokens under <mount>/_gateway/api/v1/tokens. Everyone manages
// their own; administrators list and revoke anyone's. The secret is in the answer to create and
// rotate only — never in a list, a log line or the audit trail.

export function registerTokenRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  registerCliConfigRoute(app, gw, base);

  app.get(`${base}/tokens`, async (req: FastifyRequest<{ Querystring: { user?: string; all?: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const { user, all } = req.query;
    if ((user !== undefined && user !== caller.user.username) || all === 'true') {
      requireAdmin(caller, 'list other people\'s tokens');
      const owner = user !== undefined ? await userByName(gw, user) : undefined;
      const tokens = await gw.store.tokens.list(owner ? { userId: owner.id } : {});
      return { tokens: await Promise.all(tokens.map(async (t) => tokenJson(t, owner ?? (await gw.store.users.get(t.userId))))) };
    }
    return { tokens: (await gw.store.tokens.list({ userId: caller.user.id })).map((t) => tokenJson(t, caller.user)) };
  });

  app.post(`${base}/tokens`, async (req: FastifyRequest, reply: FastifyReply) => {
    const caller = await adminCaller(gw, req, reply);
    assertMayMint(caller);
    if (caller.user.kind === 'service') throw new GatewayError('GW_DENIED', 'Tokens of a service account are minted by an administrator (POST service-accounts/<name>/tokens)');
    const body = parseTokenRequest(await requireJsonObject(req));
    const { token, record } = await gw.tokens.create(caller.user, body, actorOf(caller));
    caller.ctx.decision = 'allow: create own token';
    return reply.code(201).send({ ...tokenJson(record, caller.user), token });
  });

  app.post(`${base}/tokens/:id/rotate`, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    // Rotation hands out a new secret with a fresh expiry: it is minting, and needs what minting needs.
    // Otherwise a leaked token could renew its siblings (and they it) forever, outliving any revocation.
    assertMayMint(caller, 'rotated');
    const record = await ownedOrAdmin(gw, caller, req.params.id);
    // A workload must not be able to renew its own long-lived credentials: administrators do that.
    if (caller.user.kind === 'service') throw new GatewayError('GW_DENIED', 'Tokens of a service account are rotated by an administrator');
    const { token, record: rotated } = await gw.tokens.rotate(record, actorOf(caller));
    return { ...tokenJson(rotated, await gw.store.users.get(rotated.userId)), token };
  });

  app.delete(`${base}/tokens/:id`, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const record = await ownedOrAdmin(gw, caller, req.params.id);
    await gw.tokens.revoke(record, actorOf(caller));
    return reply.code(204).send();
  });

  app.delete(`${base}/tokens`, async (req: FastifyRequest<{ Querystring: { user?: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    let owner = caller.user;
    if (req.query.user !== undefined && req.query.user !== caller.user.username) {
      requireAdmin(caller, 'revoke other people\'s tokens');
      owner = await userByName(gw, req.query.user);
    }
    return { revoked: await gw.tokens.revokeAll(owner, actorOf(caller)) };
  });
}

/**
 * New tokens and new secrets (create, rotate; service-account tokens too) come from a person's own
 * sign-in (session or IdP JWT). A leaked token must not be able to mint itself or its siblings successors that outlive its revocation, and neither may a workload credential.
 */
export function assertMayMint(caller: Caller, verb: 'minted' | 'rotated' = 'minted'): void {
  const method = caller.ctx.principal?.method;
  if (method !== 'session' && method !== 'jwt') {
    throw new GatewayError('GW_DENIED', `Tokens are ${verb} from a signed-in session or with an IdP token, not with a personal access token or a workload credential`);
  }
}

export function actorOf(caller: Caller): Actor {
  return { username: caller.user.username, requestId: caller.ctx.requestId, clientIp: caller.ctx.clientIp };
}

function requireAdmin(caller: Caller, what: string): void {
  if (!caller.user.isAdmin) throw new GatewayError('GW_DENIED', `Only administrators may ${what}`);
}

async function userByName(gw: Gateway, username: string): Promise<User> {
  const user = await gw.store.users.getByUsername(username);
  if (!user) throw new GatewayError('GW_NOT_FOUND', `No user '${username}' has used this gateway`);
  return user;
}

/** The token, when the caller owns it or is an administrator; otherwise 404 (no existence leak). */
async function ownedOrAdmin(gw: Gateway, caller: Caller, id: string): Promise<ApiToken> {
  const record = await gw.store.tokens.get(id);
  if (!record || record.revokedAt || (record.userId !== caller.user.id && !caller.user.isAdmin)) {
    throw new GatewayError('GW_NOT_FOUND', `No active token ${id} of yours`);
  }
  return record;
}
