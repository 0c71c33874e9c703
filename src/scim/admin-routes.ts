// <mount>/_gateway/api/v1/scim/*: administrators create, list, rotate and revoke SCIM tokens and
// see what SCIM provisioned (counts and the last sync). The token itself is shown once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readJsonObject } from '../admin/body.js';
import { adminCaller, type Caller } from '../admin/caller.js';
import { recordChange } from '../admin/changes.js';
import { onlyFields, text } from '../admin/input.js';
import { requireAdmin } from '../admin/permissions.js';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { ScimToken } from '../store/index.js';
import { SCIM_PATH } from './routes.js';
import { hashSecret, mintScimToken, parseCidrs } from './tokens.js';

type ById = FastifyRequest<{ Params: { id: string } }>;

export function scimTokenJson(t: ScimToken) {
  return {
    id: t.id, name: t.name, allowed_cidrs: t.allowedCidrs, created_at: t.createdAt.toISOString(), created_by: t.createdBy,
    last_used_at: t.lastUsedAt?.toISOString() ?? null, last_used_ip: t.lastUsedIp, revoked_at: t.revokedAt?.toISOString() ?? null,
  };
}

export function registerScimAdminRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  const url = `${base}/scim`;
  const admin = async (req: FastifyRequest, reply: FastifyReply, what: string, mode: 'read' | 'write'): Promise<Caller> => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, what, mode);
    caller.ctx.decision = 'allow: administrator';
    return caller;
  };
  const active = async (id: string) => {
    const t = await gw.store.scim.getToken(id);
    if (!t || t.revokedAt !== null) throw new GatewayError('GW_NOT_FOUND', `There is no active SCIM token ${id.slice(0, 40)}`);
    return t;
  };

  app.get(url, async (req, reply) => {
    await admin(req, reply, 'read the SCIM status', 'read');
    const [tokens, users, groups] = await Promise.all([gw.store.scim.listTokens(), gw.store.scim.listUsers(), gw.store.scim.listGroups()]);
    const lastSync = tokens.map((t) => t.lastUsedAt?.getTime() ?? 0).reduce((a, b) => Math.max(a, b), 0);
    return {
      endpoint: `${gw.config.publicUrl}${SCIM_PATH}`,
      link_by: gw.config.scimLinkBy, group_source: gw.config.scimGroupSource, provider: gw.config.scimProvider ?? gw.providers.default.config.id,
      users: { total: users.length, active: users.filter((u) => u.active).length, linked: users.filter((u) => u.linkedAt !== null).length },
      groups: groups.length,
      last_sync: lastSync === 0 ? null : new Date(lastSync).toISOString(),
      tokens: tokens.map(scimTokenJson),
    };
  });

  app.post(`${url}/tokens`, async (req, reply) => {
    const caller = await admin(req, reply, 'create SCIM tokens', 'write');
    const body = (await readJsonObject(req)) ?? {};
    onlyFields(body, ['name', 'allowed_cidrs'], 'SCIM token');
    const name = text(body, 'name');
    const cidrs = body.allowed_cidrs;
    if (cidrs !== undefined && cidrs !== null && (!Array.isArray(cidrs) || cidrs.some((c) => typeof c !== 'string'))) throw new GatewayError('GW_BAD_REQUEST', 'allowed_cidrs must be a list of CIDRs');
    const minted = mintScimToken();
    const token = await gw.store.scim.createToken({
      id: minted.id, name, secretHash: hashSecret(minted.secret), allowedCidrs: Array.isArray(cidrs) && cidrs.length > 0 ? parseCidrs(cidrs as string[]) : null, createdBy: caller.user.username,
    }, new Date());
    await recordChange(caller.changes, { action: 'scim.token.create', resource: `scim-token:${token.id}`, reason: `SCIM token ${name}${token.allowedCidrs ? ` (from ${token.allowedCidrs.join(', ')})` : ''}` });
    return reply.code(201).send({ token: minted.token, scim_token: scimTokenJson(token) });
  });

  app.post(`${url}/tokens/:id/rotate`, async (req: ById, reply) => {
    const caller = await admin(req, reply, 'rotate SCIM tokens', 'write');
    const t = await active(req.params.id);
    const minted = mintScimToken();
    if (!(await gw.store.scim.replaceTokenSecret(t.id, hashSecret(minted.secret)))) throw new GatewayError('GW_NOT_FOUND', `There is no active SCIM token ${t.id}`);
    await recordChange(caller.changes, { action: 'scim.token.rotate', resource: `scim-token:${t.id}`, reason: `SCIM token ${t.name}: the old secret stopped working` });
    // Same id, new secret: the new token string carries the token's id.
    return { token: `mogscim_${t.id}_${minted.secret}`, scim_token: scimTokenJson(t) };
  });

  app.delete(`${url}/tokens/:id`, async (req: ById, reply) => {
    const caller = await admin(req, reply, 'revoke SCIM tokens', 'write');
    const t = await active(req.params.id);
    await gw.store.scim.revokeToken(t.id, new Date());
    await recordChange(caller.changes, { action: 'scim.token.revoke', resource: `scim-token:${t.id}`, reason: `SCIM token ${t.name}` });
    return { revoked: scimTokenJson((await gw.store.scim.getToken(t.id))!) };
  });
}
