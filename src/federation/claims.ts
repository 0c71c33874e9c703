// Reading and matching the claims of a workload token. Pure functions.
import { ClaimPathError, claimAtPath as sharedClaimAtPath } from '../claims/path.js';
import { globMatch } from '../policy/index.js';
import type { ClaimCondition } from '../store/index.js';

/**
 * The value at a claim path (the shared syntax of src/claims/path.ts: names containing dots, such
 * as Kubernetes' `kubernetes.io`, are found longest name first). A malformed path matches nothing.
 */
export function claimAtPath(claims: unknown, path: string): unknown {
  try {
    return sharedClaimAtPath(claims, path);
  } catch (err) {
    if (err instanceof ClaimPathError) return undefined;
    throw err;
  }
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
