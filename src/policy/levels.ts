// Ordering and arithmetic on permission levels. LEVELS in types.ts is weakest-first, so the
// array index is the rank; everything here derives from that single source of truth.
import { LEVELS } from './types.js';
import type { Action, Level } from './types.js';

/** Position of a level in the weakest-first order (NO_PERMISSIONS = 0, MANAGE = 4). */
export function levelRank(l: Level): number {
  return LEVELS.indexOf(l);
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
