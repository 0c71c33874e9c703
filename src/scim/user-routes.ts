// SCIM /Users: list (filter, paging, attributes), read, create, replace, patch, delete.
import type { FastifyRequest } from 'fastify';
import { isGatewayError } from '../errors/index.js';
import type { ScimUser } from '../store/index.js';
import { badRequest, notFound, ScimError } from './errors.js';
import { listResponse } from './discovery.js';
import { compileFilter } from './filter.js';
import { applyPatch, ifMatchVersion, paging, scimBody, type ScimQuery } from './http.js';
import { applyUserChange, audit, deprovision } from './lifecycle.js';
import { etag, patchableUser, project, userInput, userResource } from './resources.js';
import type { ScimContext } from './routes.js';

type ById = FastifyRequest<{ Params: { id: string }; Querystring: ScimQuery }>;

export function registerScimUserRoutes(ctx: ScimContext): void {
  const { gw, base } = ctx;
  const store = gw.store;
  const location = (id: string) => `${base}/Users/${id}`;

  async function groupsById(): Promise<Map<string, { id: string; displayName: string }[]>> {
    const byUser = new Map<string, { id: string; displayName: string }[]>();
    for (const g of await store.scim.listGroups()) for (const m of g.members) byUser.set(m, [...(byUser.get(m) ?? []), { id: g.id, displayName: g.displayName }]);
    return byUser;
  }
  async function resourceOf(u: ScimUser) {
    return userResource(u, (await groupsById()).get(u.userId) ?? [], location(u.userId));
  }
  async function existing(id: string): Promise<ScimUser> {
    const u = await store.scim.getUser(id);
    if (!u) throw notFound(`User ${id.slice(0, 80)}`);
    return u;
  }

  /** userName is unique case-insensitively (RFC 7643: caseExact false): `ALICE` is `alice`. */
  async function assertUserNameFree(userName: string, self?: string): Promise<void> {
    const lower = userName.toLowerCase();
    if ((await store.scim.listUsers()).some((u) => u.userId !== self && u.username.toLowerCase() === lower)) {
      throw new ScimError(409, `A user with userName ${userName} already exists`, 'uniqueness');
    }
  }

  ctx.route('GET', '/Users', async (req) => {
    const q = (req.query ?? {}) as ScimQuery;
    const { start, count } = paging(q);
    const matches = q.filter ? await compileFilter(q.filter) : () => true;
    const groups = await groupsById();
    const all = (await store.scim.listUsers()).map((u) => userResource(u, groups.get(u.userId) ?? [], location(u.userId))).filter(matches);
    const page = all.slice(start - 1, start - 1 + count).map((r) => project(r, q.attributes, q.excludedAttributes));
    return listResponse(page, all.length, start);
  });

  ctx.route('GET', '/Users/:id', async (req, reply) => {
    const r = req as ById;
    const u = await existing(r.params.id);
    void reply.header('etag', etag(u.version));
    return project(await resourceOf(u), r.query.attributes, r.query.excludedAttributes);
  });

  ctx.route('POST', '/Users', async (req, reply, actor) => {
    const input = userInput(await scimBody(req));
    await assertUserNameFree(input.username);
    let created: ScimUser;
    const holder = await store.users.getByUsername(input.username);
    if (holder) {
      // A person who signed in before SCIM was set up is taken under management (same account, same
      // grants); a provisioned one or a service account is a conflict.
      if (holder.kind !== 'person' || !(await store.scim.adoptUser(holder.id, input, new Date()))) {
        throw new ScimError(409, `A user with userName ${input.username} already exists`, 'uniqueness');
      }
      if (input.username !== holder.username) throw badRequest('userName cannot change when adopting an account');
      created = (await store.scim.getUser(holder.id))!;
      await audit(gw, actor, 'scim.user.adopt', `user:${holder.username}`, 'existing account taken under SCIM management');
      if (!input.active) await deprovision(gw, actor, holder.id, holder.username, 'provisioned with active false');
    } else {
      try {
        created = await store.scim.createUser(input, new Date());
      } catch (err) {
        if (isGatewayError(err) && err.code === 'GW_CONFLICT') throw new ScimError(409, `A user with userName ${input.username} already exists`, 'uniqueness');
        throw err;
      }
      await audit(gw, actor, 'scim.user.create', `user:${created.username}`, input.active ? null : 'provisioned inactive');
    }
    void reply.code(201).header('location', location(created.userId)).header('etag', etag(created.version));
    return resourceOf(created);
  });

  async function replaceWith(r: ById, reply: Parameters<Parameters<ScimContext['route']>[2]>[1], actor: Parameters<Parameters<ScimContext['route']>[2]>[2], next: (before: ScimUser) => Promise<Record<string, unknown>>) {
    const ifVersion = ifMatchVersion(r);
    const before = await existing(r.params.id);
    if (ifVersion !== undefined && ifVersion !== before.version) throw new ScimError(412, 'The user changed since that version (If-Match)', 'invalidVers');
    const input = userInput(await next(before));
    if (input.username !== before.username) {
      await assertUserNameFree(input.username, before.userId);
      const holder = await store.users.getByUsername(input.username);
      if (holder && holder.id !== before.userId) throw new ScimError(409, `A user with userName ${input.username} already exists`, 'uniqueness');
    }
    if (!(await applyUserChange(gw, actor, before, input, before.version))) throw new ScimError(412, 'The user changed concurrently; read it again', 'invalidVers');
    const after = await existing(before.userId);
    void reply.header('etag', etag(after.version));
    return project(await resourceOf(after), r.query.attributes, r.query.excludedAttributes);
  }

  // PUT replaces every attribute the client may write (Okta updates this way).
  ctx.route('PUT', '/Users/:id', async (req, reply, actor) => {
    const body = await scimBody(req);
    return replaceWith(req as ById, reply, actor, async () => body);
  });

  // PATCH (Entra ID updates this way, with `Replace`/`Add` and "False" strings).
  ctx.route('PATCH', '/Users/:id', async (req, reply, actor) => {
    const body = await scimBody(req);
    return replaceWith(req as ById, reply, actor, async (before) => applyPatch(patchableUser(before), body));
  });

  // DELETE: the SCIM record goes; the account stays (grants and audit keep their subject), disabled, with every credential cut.
  ctx.route('DELETE', '/Users/:id', async (req, reply, actor) => {
    const r = req as ById;
    const ifVersion = ifMatchVersion(r);
    const before = await existing(r.params.id);
    if (ifVersion !== undefined && ifVersion !== before.version) throw new ScimError(412, 'The user changed since that version (If-Match)', 'invalidVers');
    await store.users.setDisabled(before.userId, true);
    const formerGroups = (await groupsById()).has(before.userId);
    await store.scim.deleteUser(before.userId);
    if (formerGroups) await store.scim.syncGroups([before.userId], gw.config.scimGroupSource);
    await deprovision(gw, actor, before.userId, before.username, 'deleted by SCIM');
    void reply.code(204);
    return undefined;
  });
}
