// Groups. The policy knows a group only by name, so the gateway knows of a group from its
// members' sign-ins, SCIM, grants and pattern rules that name it, the configured administrator
// groups, and groups an administrator created ahead of use (so they are suggested, not warned of).
//
//   GET    groups               administrators: every known group with members, grants and rules;
//                               an MLflow role's reserved group mlflow-role:<id> with its role
//   POST   groups               administrators: create a group ahead of use {name, description?}
//   DELETE groups/:name         administrators: forget a created group (its grants stay)
//   GET    group-suggestions    anyone: names for a share dialog — administrators every known
//                               group (complete: a name not listed is unknown); others only their
//                               own groups (complete: false), so no one learns which groups exist;
//                               never a role's reserved group (grants to it are refused)
import { isAdminGroup } from '../oidc/providers/registry.js';
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { isRoleGroup, ROLE_GROUP_PREFIX, type Role, type User } from '../store/index.js';
import { requireJsonObject } from './body.js';
import { adminCaller } from './caller.js';
import { badRequest, onlyFields, optionalText, text, type Fields } from './input.js';
import { requireAdmin } from './permissions.js';
import { recordAction } from './record.js';
import { grantsJson, patternsJson } from './serialize.js';

/** Users are listed in pages; a gateway with more users than this shows the first ones. */
const MAX_USERS = 10_000;

export async function allUsers(gw: Gateway): Promise<User[]> {
  const users: User[] = [];
  while (users.length < MAX_USERS) {
    const page = await gw.store.users.list({ limit: 1000, offset: users.length });
    users.push(...page);
    if (page.length < 1000) break;
  }
  return users;
}

/** Every group name the gateway knows of, sorted, with the users it read them from. */
export async function knownGroupNames(gw: Gateway, users?: User[]): Promise<string[]> {
  const [people, named, rules, created, scim] = await Promise.all([
    users ?? allUsers(gw), gw.store.grants.groupNames(), gw.store.grants.listPatterns(), gw.store.knownGroups.list(), gw.store.scim.listGroups(),
  ]);
  return [...new Set([
    ...people.flatMap((u) => u.groups), ...named, ...rules.filter((r) => r.principalType === 'group').map((r) => r.principal),
    ...created.map((g) => g.name), ...scim.map((g) => g.displayName), ...gw.config.providers.flatMap((p) => p.adminGroups),
  ])].sort();
}

/** The MLflow role a reserved group stands for; name and workspace null when the role is gone. */
function roleOfGroup(roles: readonly Role[], group: string): { id: number; name: string | null; workspace: string | null } {
  const id = Number(group.trim().slice(ROLE_GROUP_PREFIX.length));
  const role = roles.find((r) => r.id === id);
  return { id, name: role?.name ?? null, workspace: role?.workspace ?? null };
}

/** A group name as the policy compares it: exact, so no surrounding spaces (they would never match a token's group). */
function groupName(input: Fields): string {
  const name = text(input, 'name');
  if (name.trim() !== name) throw badRequest('name must not start or end with spaces (group names are compared exactly)');
  return name;
}

export function registerGroupRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/groups`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'list groups', 'read');
    caller.ctx.decision = 'allow: administrator';
    const [users, rules, created, roles] = await Promise.all([allUsers(gw), gw.store.grants.listPatterns(), gw.store.knownGroups.list(), gw.store.roles.list()]);
    const names = await knownGroupNames(gw, users);
    const groups = await Promise.all(names.map(async (name) => {
      const made = created.find((g) => g.name === name);
      return {
        name,
        admin_group: isAdminGroup(gw.config.providers, name),
        members: users.filter((u) => u.groups.includes(name)).map((u) => u.username),
        grants: await grantsJson(gw.store, await gw.store.grants.listForPrincipal('group', name)),
        patterns: await patternsJson(gw.store, rules.filter((r) => r.principalType === 'group' && r.principal === name)),
        created: made ? { by: made.createdBy, at: made.createdAt.toISOString(), description: made.description } : null,
        role: isRoleGroup(name) ? roleOfGroup(roles, name) : null,
      };
    }));
    return { groups };
  });

  app.post(`${base}/groups`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'create groups', 'write');
    const body = await requireJsonObject(req);
    onlyFields(body, ['name', 'description'], 'group');
    const name = groupName(body);
    const description = optionalText(body, 'description') ?? null;
    const createdAt = new Date();
    if (!(await gw.store.knownGroups.create({ name, description, createdAt, createdBy: caller.user.username }))) {
      throw new GatewayError('GW_ALREADY_EXISTS', `The group ${name} was created before`);
    }
    caller.ctx.decision = 'allow: administrator';
    await recordAction(caller, 'group.create', `group:${name}`, `created ahead of use${description ? `: ${description}` : ''}`);
    return reply.code(201).send({ group: { name, description, created: { by: caller.user.username, at: createdAt.toISOString() } } });
  });

  app.delete(`${base}/groups/:name`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'delete groups', 'write');
    const name = groupName({ name: (req.params as { name: string }).name });
    if (!(await gw.store.knownGroups.delete(name))) {
      throw new GatewayError('GW_NOT_FOUND', `No group ${name} was created by an administrator (groups seen at sign-ins or in grants cannot be deleted here)`);
    }
    caller.ctx.decision = 'allow: administrator';
    await recordAction(caller, 'group.delete', `group:${name}`, 'forgot the group created ahead of use (its grants and rules stay)');
    return { deleted: true };
  });

  app.get(`${base}/group-suggestions`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    onlyFields(req.query as Fields, [], 'query');
    const admin = caller.user.isAdmin && caller.limits.scope === undefined;
    caller.ctx.decision = admin ? 'allow: administrator' : 'allow: own groups';
    const names = admin ? await knownGroupNames(gw) : [...caller.user.groups].sort();
    return { groups: names.filter((g) => !isRoleGroup(g)), complete: admin };
  });
}
