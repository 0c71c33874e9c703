import type { Kysely, Selectable } from 'kysely';
import type { Tables } from './schema.js';
import type { ClaimCondition, ClientMapping, FederationStore, TrustRule } from './types.js';

function toRule(r: Selectable<Tables['trust_rules']>): TrustRule {
  return {
    id: r.id, name: r.name, issuer: r.issuer, jwksUrl: r.jwks_url, audience: r.audience, preset: r.preset,
    conditions: JSON.parse(r.conditions_json) as ClaimCondition[], serviceAccountId: r.service_account_id,
    createdAt: new Date(Number(r.created_at)), createdBy: r.created_by,
  };
}

function toMapping(r: Selectable<Tables['oauth_clients']>): ClientMapping {
  return { clientId: r.client_id, serviceAccountId: r.service_account_id, createdAt: new Date(Number(r.created_at)), createdBy: r.created_by };
}

export function federationStore(db: Kysely<Tables>): FederationStore {
  return {
    async addRule(rule) {
      await db.insertInto('trust_rules').values({
        id: rule.id, name: rule.name, issuer: rule.issuer, jwks_url: rule.jwksUrl, audience: rule.audience, preset: rule.preset,
        conditions_json: JSON.stringify(rule.conditions), service_account_id: rule.serviceAccountId, created_at: rule.createdAt.getTime(), created_by: rule.createdBy,
      }).execute();
    },
    async rules(opts = {}) {
      let q = db.selectFrom('trust_rules').selectAll().orderBy('created_at').orderBy('id');
      if (opts.issuer !== undefined) q = q.where('issuer', '=', opts.issuer);
      if (opts.serviceAccountId !== undefined) q = q.where('service_account_id', '=', opts.serviceAccountId);
      return (await q.execute()).map(toRule);
    },
    async getRule(id) {
      const r = await db.selectFrom('trust_rules').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toRule(r);
    },
    async deleteRule(id) {
      const r = await db.deleteFrom('trust_rules').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async mapClient(m) {
      await db.insertInto('oauth_clients')
        .values({ client_id: m.clientId, service_account_id: m.serviceAccountId, created_at: m.createdAt.getTime(), created_by: m.createdBy })
        .onConflict((oc) => oc.column('client_id').doUpdateSet({ service_account_id: m.serviceAccountId, created_at: m.createdAt.getTime(), created_by: m.createdBy }))
        .execute();
    },
    async clientMapping(clientId) {
      const r = await db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return r && toMapping(r);
    },
    async clients(opts = {}) {
      let q = db.selectFrom('oauth_clients').selectAll().orderBy('client_id');
      if (opts.serviceAccountId !== undefined) q = q.where('service_account_id', '=', opts.serviceAccountId);
      return (await q.execute()).map(toMapping);
    },
    async unmapClient(clientId) {
      const r = await db.deleteFrom('oauth_clients').where('client_id', '=', clientId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
