import type { PatternRule, ResourceType } from '../policy/index.js';
import type { Store } from '../store/index.js';
import type { StoredPrincipal } from './principals.js';

/** Pattern rules, optionally only of one resource type and/or one principal (API and CLI listings). */
export async function findPatterns(store: Store, type?: ResourceType, principal?: StoredPrincipal): Promise<PatternRule[]> {
  const rules = type === undefined ? await store.grants.listPatterns() : await store.grants.patterns(type);
  return rules.filter((r) => principal === undefined || (r.principalType === principal.type && r.principal === principal.key));
}
