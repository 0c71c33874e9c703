// <mount>/_gateway/api/v1/service-accounts: administrators create, change, delete service
// accounts, mint their tokens and map OAuth clients to them. Permissions are granted with the
// grants API (principal_type 'user', the account's name), exactly as for people.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireJsonObject } from '../admin/body.js';
import { adminCaller, type Caller } from '../admin/caller.js';
import { text } from '../admin/input.js';
import { requireAdmin } from '../admin/permissions.js';
import type { Gateway } from '../pipeline/gateway.js';
import { parseTokenRequest, tokenJson } from '../tokens/json.js';
import { actorOf, assertMayMint } from '../tokens/routes.js';
import { serviceAccountChanges, serviceAccountInput } from './input.js';
import { changeServiceAccount, createServiceAccount, deleteServiceAccount, mapClient, serviceAccountByName, unmapClient } from './manage.js';
import { serviceAccountJson } from './serialize.js';

type Named = FastifyRequest<{ Params: { name: string } }>;
type NamedClient = FastifyRequest<{ Params: { name: string; clientId: string } }>;

export function registerServiceAccountRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  const url = `${base}/service-accounts`;
  const admin = async (req: FastifyRequest, reply: Parameters<typeof adminCaller>[2], what: string, mode: 'read' | 'write'): Promise<Caller> => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, what, mode);
    caller.ctx.decision = 'allow: administrator';
    return caller;
  };

  app.get(url, async (req, reply) => {
    await admin(req, reply, 'list service accounts', 'read');
    return { service_accounts: (await gw.store.serviceAccounts.list()).map(serviceAccountJson) };
  });

  app.post(url, async (req, reply) => {
    const caller = await admin(req, reply, 'create service accounts', 'write');
    const account = await createServiceAccount(gw.config, caller.changes, serviceAccountInput(await requireJsonObject(req)));
    return reply.code(201).send({ service_account: serviceAccountJson(account) });
  });

  app.get(`${url}/:name`, async (req: Named, reply) => {
    await admin(req, reply, 'read service accounts', 'read');
    const account = await serviceAccountByName(gw.store, req.params.name);
    const [tokens, rules, clients] = await Promise.all([
      gw.store.tokens.list({ userId: account.user.id }),
      gw.store.federation.rules({ serviceAccountId: account.user.id }),
      gw.store.federation.clients({ serviceAccountId: account.user.id }),
    ]);
    return {
      service_account: serviceAccountJson(account),
      tokens: tokens.map((t) => tokenJson(t, account.user)),
      trust_rules: rules.map((r) => ({ id: r.id, name: r.name, issuer: r.issuer })),
      oauth_clients: clients.map((c) => c.clientId),
    };
  });

  app.patch(`${url}/:name`, async (req: Named, reply) => {
    const caller = await admin(req, reply, 'change service accounts', 'write');
    const account = await serviceAccountByName(gw.store, req.params.name);
    const changed = await changeServiceAccount(gw.config, caller.changes, account, serviceAccountChanges(await requireJsonObject(req)));
    return { service_account: serviceAccountJson(changed) };
  });

  app.delete(`${url}/:name`, async (req: Named, reply) => {
    const caller = await admin(req, reply, 'delete service accounts', 'write');
    await deleteServiceAccount(caller.changes, await serviceAccountByName(gw.store, req.params.name));
    return { deleted: true };
  });

  // Same tokens and limits as personal ones; the secret is in this answer only.
  app.post(`${url}/:name/tokens`, async (req: Named, reply) => {
    const caller = await admin(req, reply, 'mint service-account tokens', 'write');
    assertMayMint(caller);
    const account = await serviceAccountByName(gw.store, req.params.name);
    const { token, record } = await gw.tokens.create(account.user, parseTokenRequest(await requireJsonObject(req)), actorOf(caller));
    return reply.code(201).send({ ...tokenJson(record, account.user), token });
  });

  app.get(`${url}/:name/tokens`, async (req: Named, reply) => {
    await admin(req, reply, 'list service-account tokens', 'read');
    const account = await serviceAccountByName(gw.store, req.params.name);
    return { tokens: (await gw.store.tokens.list({ userId: account.user.id })).map((t) => tokenJson(t, account.user)) };
  });

  app.put(`${url}/:name/oauth-clients/:clientId`, async (req: NamedClient, reply) => {
    const caller = await admin(req, reply, 'map OAuth clients', 'write');
    const account = await serviceAccountByName(gw.store, req.params.name);
    const clientId = text(req.params, 'clientId');
    await mapClient(caller.changes, account, clientId);
    return { client_id: clientId, service_account: account.user.username };
  });

  app.delete(`${url}/:name/oauth-clients/:clientId`, async (req: NamedClient, reply) => {
    const caller = await admin(req, reply, 'unmap OAuth clients', 'write');
    await unmapClient(caller.changes, await serviceAccountByName(gw.store, req.params.name), text(req.params, 'clientId'));
    return reply.code(204).send();
  });
}
