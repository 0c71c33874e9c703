// Reading and matching the claims of a workload token. Pure functions.
import { globMatch } from '../policy/index.js';
import type { ClaimCondition } from '../store/index.js';

/**
 * The value at a dotted claim path. Claim names may themselves contain dots (Kubernetes puts
 * `{"kubernetes.io": {"namespace": …}}` in its tokens), so every split of the path is tried,
 * longest key first: `kubernetes.io.namespace` finds `claims["kubernetes.io"].namespace`.
 */
export function claimAtPath(claims: unknown, path: string): unknown {
  return walk(claims, path.split('.'));
}

function walk(node: unknown, parts: readonly string[]): unknown {
  if (parts.length === 0) return node;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const obj = node as Record<string, unknown>;
  for (let i = parts.length; i >= 1; i--) {
    const key = parts.slice(0, i).join('.');
    if (Object.hasOwn(obj, key)) {
      const found = walk(obj[key], parts.slice(i));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Claims compared as text: strings as they are, numbers and booleans spelled out; anything else never matches. */
function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function conditionMet(claims: Record<string, unknown>, c: ClaimCondition): boolean {
  const actual = asText(claimAtPath(claims, c.claim));
  if (actual === undefined) return false;
  return c.matcher === 'exact' ? actual === c.value : globMatch(c.value, actual);
}

/** The first condition the claims do not meet, or undefined when all are met. */
export function firstUnmet(claims: Record<string, unknown>, conditions: readonly ClaimCondition[]): ClaimCondition | undefined {
  return conditions.find((c) => !conditionMet(claims, c));
}
