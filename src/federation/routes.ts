// <mount>/_gateway/api/v1/trust-rules: workload identity federation rules, administrators only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireJsonObject } from '../admin/body.js';
import { adminCaller } from '../admin/caller.js';
import { requireAdmin } from '../admin/permissions.js';
import type { Gateway } from '../pipeline/gateway.js';
import { addTrustRule, deleteTrustRule, findTrustRule } from './manage.js';
import { PRESETS } from './presets.js';
import { trustRuleInput } from './rule-input.js';
import { trustRulesJson } from './serialize.js';

export function registerTrustRuleRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  const url = `${base}/trust-rules`;

  app.get(url, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'list trust rules', 'read');
    caller.ctx.decision = 'allow: administrator';
    return { trust_rules: await trustRulesJson(gw.store, await gw.store.federation.rules()), presets: PRESETS };
  });

  app.post(url, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'add trust rules', 'write');
    caller.ctx.decision = 'allow: administrator';
    const rule = await addTrustRule(caller.changes, trustRuleInput(await requireJsonObject(req), gw.config.providers.map((p) => p.issuer)));
    const [json] = await trustRulesJson(gw.store, [rule]);
    return reply.code(201).send({ trust_rule: json });
  });

  app.delete(`${url}/:id`, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'delete trust rules', 'write');
    caller.ctx.decision = 'allow: administrator';
    const rule = await findTrustRule(gw.store, req.params.id);
    await deleteTrustRule(caller.changes, rule);
    const [json] = await trustRulesJson(gw.store, [rule]);
    return { deleted: true, trust_rule: json };
  });
}
