// GET / POST <mount>/_gateway/api/v1/patterns, PATCH / DELETE <mount>/_gateway/api/v1/patterns/:id
// Pattern rules reach every resource whose name matches, present and future: administrators only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { RESOURCE_TYPES } from '../policy/index.js';
import { requireJsonObject } from './body.js';
import { adminCaller } from './caller.js';
import { addPattern, deletePattern, updatePattern } from './changes.js';
import { findPatterns } from './find-patterns.js';
import { oneOf, onlyFields, patternChanges, patternInput, principalRef, text, type Fields } from './input.js';
import { requireAdmin } from './permissions.js';
import { assertNotRoleGroup, storedPrincipal, usernameLookup } from './principals.js';
import { patternsJson } from './serialize.js';

export function registerPatternRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  const url = `${base}/patterns`;

  app.get(url, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'list pattern rules', 'read');
    caller.ctx.decision = 'allow: administrator';
    const query = req.query as Fields;
    onlyFields(query, ['resource_type', 'principal_type', 'principal'], 'query');
    const type = query.resource_type === undefined ? undefined : oneOf(query, 'resource_type', RESOURCE_TYPES);
    const principal = query.principal_type === undefined && query.principal === undefined ? undefined : await storedPrincipal(gw.store, principalRef(query));
    const rules = await findPatterns(gw.store, type, principal);
    return { patterns: await patternsJson(gw.store, rules) };
  });

  app.post(url, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'add pattern rules', 'write');
    caller.ctx.decision = 'allow: administrator';
    const input = patternInput(await requireJsonObject(req));
    assertNotRoleGroup(input.principal);
    const principal = await storedPrincipal(gw.store, input.principal);
    const rule = await addPattern(caller.changes, principal, { resourceType: input.resourceType, matcher: input.matcher, pattern: input.pattern, level: input.level });
    const [pattern] = await patternsJson(gw.store, [rule]);
    return reply.code(201).send({ pattern });
  });

  // Edit in place (pattern, matcher, level): one store update, so the rule never lapses or doubles.
  app.patch(`${url}/:id`, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'change pattern rules', 'write');
    caller.ctx.decision = 'allow: administrator';
    const id = text(req.params, 'id');
    const current = (await gw.store.grants.listPatterns()).find((r) => r.id === id);
    if (!current) throw new GatewayError('GW_NOT_FOUND', `No pattern rule with id ${JSON.stringify(id)}`);
    assertNotRoleGroup({ type: current.principalType, name: current.principal });
    const changes = patternChanges(await requireJsonObject(req), current);
    const lookup = usernameLookup(gw.store);
    const rule = await updatePattern(caller.changes, id, changes, (r) => lookup(r.principalType, r.principal));
    if (!rule) throw new GatewayError('GW_NOT_FOUND', `No pattern rule with id ${JSON.stringify(id)}`);
    const [pattern] = await patternsJson(gw.store, [rule]);
    return { pattern };
  });

  app.delete(`${url}/:id`, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'delete pattern rules', 'write');
    caller.ctx.decision = 'allow: administrator';
    const id = text(req.params, 'id');
    const current = (await gw.store.grants.listPatterns()).find((r) => r.id === id);
    if (current) assertNotRoleGroup({ type: current.principalType, name: current.principal });
    const lookup = usernameLookup(gw.store);
    const rule = await deletePattern(caller.changes, id, (r) => lookup(r.principalType, r.principal));
    if (!rule) throw new GatewayError('GW_NOT_FOUND', `No pattern rule with id ${JSON.stringify(id)}`);
    const [pattern] = await patternsJson(gw.store, [rule]);
    return { deleted: true, pattern };
  });
}
