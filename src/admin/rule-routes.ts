// <mount>/_gateway/api/v1/protected-keys and /team-defaults (GET, POST, DELETE /:id): protected
// aliases and tag keys, and team defaults. They reach every resource of a type: administrators only.
// Every change is audited and logged (src/admin/changes.ts) and reaches every replica's cache
// through the bus ('rules' events, src/cache/publishing-store.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { requireJsonObject } from './body.js';
import { adminCaller } from './caller.js';
import { addProtectedKey, addTeamDefault, deleteProtectedKey, deleteTeamDefault } from './rule-changes.js';
import { text } from './input.js';
import { requireAdmin } from './permissions.js';
import { protectedKeyInput, protectedKeyJson, teamDefaultInput, teamDefaultJson } from './rule-input.js';

export function registerRuleRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/protected-keys`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'list protected key rules', 'read');
    caller.ctx.decision = 'allow: administrator';
    return { protected_keys: (await gw.store.rules.protectedKeys()).map(protectedKeyJson) };
  });
  app.post(`${base}/protected-keys`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'add protected key rules', 'write');
    caller.ctx.decision = 'allow: administrator';
    const rule = await addProtectedKey(caller.changes, protectedKeyInput(await requireJsonObject(req)));
    return reply.code(201).send({ protected_key: protectedKeyJson(rule) });
  });
  app.delete(`${base}/protected-keys/:id`, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'delete protected key rules', 'write');
    caller.ctx.decision = 'allow: administrator';
    const id = text(req.params, 'id');
    const rule = await deleteProtectedKey(caller.changes, id);
    if (!rule) throw new GatewayError('GW_NOT_FOUND', `No protected key rule with id ${JSON.stringify(id)}`);
    return { deleted: true, protected_key: protectedKeyJson(rule) };
  });

  app.get(`${base}/team-defaults`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'list team defaults', 'read');
    caller.ctx.decision = 'allow: administrator';
    return { team_defaults: (await gw.store.rules.teamDefaults()).map(teamDefaultJson) };
  });
  app.post(`${base}/team-defaults`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'add team defaults', 'write');
    caller.ctx.decision = 'allow: administrator';
    const rule = await addTeamDefault(caller.changes, teamDefaultInput(await requireJsonObject(req)));
    return reply.code(201).send({ team_default: teamDefaultJson(rule) });
  });
  app.delete(`${base}/team-defaults/:id`, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'delete team defaults', 'write');
    caller.ctx.decision = 'allow: administrator';
    const id = text(req.params, 'id');
    const rule = await deleteTeamDefault(caller.changes, id);
    if (!rule) throw new GatewayError('GW_NOT_FOUND', `No team default with id ${JSON.stringify(id)}`);
    return { deleted: true, team_default: teamDefaultJson(rule) };
  });
}
