// Ordering and arithmetic on permission levels. LEVELS in types.ts is weakest-first, so the
// array index is the rank; everything here derives from that single source of truth.
import { GRANT_LEVELS, LEVELS } from './types.js';
import type { Action, GrantLevel, Level } from './types.js';

/** Position of a level in the weakest-first order (NO_PERMISSIONS = 0, MANAGE = 4). */
export function levelRank(l: Level): number {
  return LEVELS.indexOf(l);
}

/**
 * Rank of what a grant or rule gives: DENY below NO_PERMISSIONS (-1), the levels as levelRank.
 * For ordering grants ("lowering" a grant to DENY, the lower level winning a tie), never for
 * allow decisions (those compare decision levels, which are never DENY).
 */
export function grantLevelRank(l: GrantLevel): number {
  return l === 'DENY' ? -1 : levelRank(l);
}

/** Type guard for what a grant or rule may carry (a level or DENY). */
export function isGrantLevel(x: unknown): x is GrantLevel {
  return typeof x === 'string' && (GRANT_LEVELS as readonly string[]).includes(x);
}

/** True when `held` is at least as strong as `needed`. */
export function atLeast(held: Level, needed: Level): boolean {
  return levelRank(held) >= levelRank(needed);
}

export function maxLevel(a: Level, b: Level): Level {
  return levelRank(a) >= levelRank(b) ? a : b;
}

export function minLevel(a: Level, b: Level): Level {
  return levelRank(a) <= levelRank(b) ? a : b;
}

/** Type guard for untrusted input (admin API bodies, database rows). */
export function isLevel(x: unknown): x is Level {
  return typeof x === 'string' && (LEVELS as readonly string[]).includes(x);
}

// delete (which also covers restore) needs MANAGE, not EDIT: editors may change a resource but
// must not be able to make it disappear. A Record keyed by Action makes the compiler insist on a
// mapping for every action if ACTIONS ever grows.
const REQUIRED: Readonly<Record<Action, Level>> = {
  read: 'READ',
  use: 'USE',
  update: 'EDIT',
  delete: 'MANAGE',
  manage: 'MANAGE',
};

/** The weakest level that permits `action`. */
export function requiredLevel(action: Action): Level {
  return REQUIRED[action];
}
