// Adding and removing trust rules, for the admin API and the CLI alike (audited and logged the
// same way as grant changes).
import { randomUUID } from 'node:crypto';
import { recordChange, type ChangeContext } from '../admin/changes.js';
import { GatewayError } from '../errors/index.js';
import { serviceAccountByName } from '../service-accounts/manage.js';
import type { Store, TrustRule } from '../store/index.js';
import type { TrustRuleInput } from './rule-input.js';

const describeConditions = (r: TrustRule) => r.conditions.map((c) => `${c.claim} ${c.matcher === 'exact' ? '=' : '~'} ${JSON.stringify(c.value)}`).join(', ');

export async function addTrustRule(cx: ChangeContext, input: TrustRuleInput): Promise<TrustRule> {
  const account = await serviceAccountByName(cx.store, input.serviceAccount);
  if ((await cx.store.federation.rules()).some((r) => r.name === input.name)) {
    throw new GatewayError('GW_CONFLICT', `A trust rule named ${JSON.stringify(input.name)} already exists; delete it first or pick another name`);
  }
  const rule: TrustRule = {
    id: `tr_${randomUUID().replace(/-/g, '').slice(0, 10)}`, name: input.name, issuer: input.issuer, jwksUrl: input.jwksUrl, audience: input.audience,
    preset: input.preset, conditions: input.conditions, serviceAccountId: account.user.id, createdAt: new Date(), createdBy: cx.actor,
  };
  await cx.store.federation.addRule(rule);
  await recordChange(cx, {
    action: 'trust-rule.add', resource: `trust-rule:${rule.id}`, principal: `user ${account.user.username}`,
    reason: `tokens of ${rule.issuer} for audience ${rule.audience} with ${describeConditions(rule)} act as ${account.user.username} (rule ${rule.name})`,
  });
  return rule;
}

/** A rule by id or by name. */
export async function findTrustRule(store: Store, idOrName: string): Promise<TrustRule> {
  const rule = (await store.federation.getRule(idOrName)) ?? (await store.federation.rules()).find((r) => r.name === idOrName);
  if (!rule) throw new GatewayError('GW_NOT_FOUND', `No trust rule with id or name ${JSON.stringify(idOrName)}`);
  return rule;
}

export async function deleteTrustRule(cx: ChangeContext, rule: TrustRule): Promise<void> {
  if (!(await cx.store.federation.deleteRule(rule.id))) throw new GatewayError('GW_NOT_FOUND', `No trust rule ${rule.id}`);
  const account = await cx.store.users.get(rule.serviceAccountId);
  await recordChange(cx, {
    action: 'trust-rule.delete', resource: `trust-rule:${rule.id}`, principal: `user ${account?.username ?? rule.serviceAccountId}`,
    reason: `removed rule ${rule.name}: tokens of ${rule.issuer} with ${describeConditions(rule)} no longer act as ${account?.username ?? rule.serviceAccountId}`,
  });
}
