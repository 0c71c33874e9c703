// SCIM /Groups: membership is a group source for the gateway (GATEWAY_SCIM_GROUP_SOURCE).
import type { FastifyRequest } from 'fastify';
import { isGatewayError } from '../errors/index.js';
import type { ScimGroup } from '../store/index.js';
import { badRequest, notFound, ScimError } from './errors.js';
import { listResponse } from './discovery.js';
import { compileFilter } from './filter.js';
import { applyPatch, ifMatchVersion, paging, scimBody, type ScimQuery } from './http.js';
import { audit } from './lifecycle.js';
import { etag, GROUP_SCHEMA, groupResource, project } from './resources.js';
import type { ScimContext } from './routes.js';

type ById = FastifyRequest<{ Params: { id: string }; Querystring: ScimQuery }>;
type GroupInput = { displayName: string; externalId: string | null; members: string[] };

const MAX_MEMBERS = 50_000;

export function registerScimGroupRoutes(ctx: ScimContext): void {
  const { gw, base } = ctx;
  const store = gw.store;
  const location = (id: string) => `${base}/Groups/${id}`;

  async function usernames(): Promise<Map<string, string>> {
    return new Map((await store.scim.listUsers()).map((u) => [u.userId, u.username]));
  }
  async function existing(id: string): Promise<ScimGroup> {
    const g = await store.scim.getGroup(id);
    if (!g) throw notFound(`Group ${id.slice(0, 80)}`);
    return g;
  }

  /** Every member must be an account of this gateway: an unknown id is refused, not dropped (no half-applied request). */
  async function groupInput(body: Record<string, unknown>): Promise<GroupInput> {
    const displayName = typeof body.displayName === 'string' ? body.displayName.trim() : '';
    if (!displayName) throw badRequest('displayName is required');
    if (displayName.length > 256) throw badRequest('displayName is longer than 256 characters');
    const raw = body.members ?? [];
    if (!Array.isArray(raw)) throw badRequest('members must be an array');
    if (raw.length > MAX_MEMBERS) throw badRequest(`At most ${MAX_MEMBERS} members`, 'tooMany');
    const members = [...new Set(raw.map((m, i) => {
      const value = typeof m === 'object' && m !== null ? (m as Record<string, unknown>).value : undefined;
      if (typeof value !== 'string' || value === '') throw badRequest(`members[${i}] has no value`);
      return value;
    }))];
    for (const id of members) if (!(await store.users.get(id))) throw badRequest(`members: there is no user ${id.slice(0, 80)}`);
    const externalId = typeof body.externalId === 'string' && body.externalId !== '' ? body.externalId : null;
    return { displayName, externalId, members };
  }

  const resync = (userIds: Iterable<string>) => store.scim.syncGroups([...userIds], gw.config.scimGroupSource);

  ctx.route('GET', '/Groups', async (req) => {
    const q = (req.query ?? {}) as ScimQuery;
    const { start, count } = paging(q);
    const matches = q.filter ? await compileFilter(q.filter) : () => true;
    const names = await usernames();
    const all = (await store.scim.listGroups()).map((g) => groupResource(g, names, location(g.id))).filter(matches);
    return listResponse(all.slice(start - 1, start - 1 + count).map((r) => project(r, q.attributes, q.excludedAttributes)), all.length, start);
  });

  ctx.route('GET', '/Groups/:id', async (req, reply) => {
    const r = req as ById;
    const g = await existing(r.params.id);
    void reply.header('etag', etag(g.version));
    return project(groupResource(g, await usernames(), location(g.id)), r.query.attributes, r.query.excludedAttributes);
  });

  ctx.route('POST', '/Groups', async (req, reply, actor) => {
    const input = await groupInput(await scimBody(req));
    let created: ScimGroup;
    try {
      created = await store.scim.createGroup(input, new Date());
    } catch (err) {
      if (isGatewayError(err) && err.code === 'GW_CONFLICT') throw new ScimError(409, `A group named ${input.displayName} already exists`, 'uniqueness');
      throw err;
    }
    await resync(created.members);
    await audit(gw, actor, 'scim.group.create', `group:${created.displayName}`, `${created.members.length} member(s)`);
    void reply.code(201).header('location', location(created.id)).header('etag', etag(created.version));
    return groupResource(created, await usernames(), location(created.id));
  });

  async function change(r: ById, reply: Parameters<Parameters<ScimContext['route']>[2]>[1], actor: Parameters<Parameters<ScimContext['route']>[2]>[2], next: (before: ScimGroup) => Record<string, unknown> | Promise<Record<string, unknown>>) {
    const ifVersion = ifMatchVersion(r);
    const before = await existing(r.params.id);
    if (ifVersion !== undefined && ifVersion !== before.version) throw new ScimError(412, 'The group changed since that version (If-Match)', 'invalidVers');
    const input = await groupInput(await next(before));
    try {
      if (!(await store.scim.updateGroup(before.id, input, new Date(), before.version))) throw new ScimError(412, 'The group changed concurrently; read it again', 'invalidVers');
    } catch (err) {
      if (isGatewayError(err) && err.code === 'GW_CONFLICT') throw new ScimError(409, `A group named ${input.displayName} already exists`, 'uniqueness');
      throw err;
    }
    const added = input.members.filter((m) => !before.members.includes(m));
    const removed = before.members.filter((m) => !input.members.includes(m));
    // A rename changes every member's groups; otherwise only the added and removed members'.
    await resync(before.displayName !== input.displayName ? new Set([...before.members, ...input.members]) : [...added, ...removed]);
    await audit(gw, actor, 'scim.group.update', `group:${input.displayName}`, `${added.length} added, ${removed.length} removed${before.displayName !== input.displayName ? `, renamed from ${before.displayName}` : ''}`);
    const after = await existing(before.id);
    void reply.header('etag', etag(after.version));
    // Entra ID and Okta ignore the body of a group PATCH; an empty 204 would do, the resource is friendlier.
    return project(groupResource(after, await usernames(), location(after.id)), r.query.attributes, r.query.excludedAttributes);
  }

  ctx.route('PUT', '/Groups/:id', async (req, reply, actor) => {
    const body = await scimBody(req);
    return change(req as ById, reply, actor, () => body);
  });

  ctx.route('PATCH', '/Groups/:id', async (req, reply, actor) => {
    const body = await scimBody(req);
    return change(req as ById, reply, actor, (before) => applyPatch({
      schemas: [GROUP_SCHEMA], id: before.id, displayName: before.displayName, ...(before.externalId ? { externalId: before.externalId } : {}),
      members: before.members.map((value) => ({ value })), meta: { resourceType: 'Group' },
    }, body));
  });

  ctx.route('DELETE', '/Groups/:id', async (req, reply, actor) => {
    const r = req as ById;
    const ifVersion = ifMatchVersion(r);
    const before = await existing(r.params.id);
    if (ifVersion !== undefined && ifVersion !== before.version) throw new ScimError(412, 'The group changed since that version (If-Match)', 'invalidVers');
    await store.scim.deleteGroup(before.id);
    await resync(before.members);
    await audit(gw, actor, 'scim.group.delete', `group:${before.displayName}`, `${before.members.length} member(s)`);
    void reply.code(204);
    return undefined;
  });
}
