// JSON shape of a trust rule (admin API and `trust-rules list --json`).
import type { Store, TrustRule } from '../store/index.js';

export async function trustRulesJson(store: Store, rules: readonly TrustRule[]): Promise<Record<string, unknown>[]> {
  const names = new Map<string, string>();
  for (const r of rules) if (!names.has(r.serviceAccountId)) names.set(r.serviceAccountId, (await store.users.get(r.serviceAccountId))?.username ?? r.serviceAccountId);
  return rules.map((r) => ({
    id: r.id, name: r.name, preset: r.preset, issuer: r.issuer, jwks_url: r.jwksUrl, audience: r.audience,
    conditions: r.conditions.map((c) => ({ claim: c.claim, matcher: c.matcher, value: c.value })),
    service_account: names.get(r.serviceAccountId), created_at: r.createdAt.toISOString(), created_by: r.createdBy,
  }));
}
