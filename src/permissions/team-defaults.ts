// Team defaults (issue #16 §5): which groups get which level on a resource someone just created.
// Pure: the after-response hook (src/pipeline/after-response.ts) writes what this returns, beside
// the creator's MANAGE, once MLflow confirmed the creation.
import { globMatch, levelRank, type Level } from '../policy/index.js';
import type { TeamDefault, TeamDefaultType } from '../store/index.js';

export interface DefaultGrant {
  readonly group: string;
  readonly level: Level;
  /** The rule that gave it (the highest level wins when several rules name one group). */
  readonly ruleId: string;
}

/** The group grants the rules give on a new resource of `type` made by a member of `creatorGroups`. */
export function teamDefaultGrants(rules: readonly TeamDefault[], type: TeamDefaultType, creatorGroups: readonly string[]): DefaultGrant[] {
  const best = new Map<string, DefaultGrant>();
  for (const rule of rules) {
    if (rule.resourceType !== type) continue;
    if (rule.creatorGroup !== null && !creatorGroups.includes(rule.creatorGroup)) continue;
    const groups = rule.grantTo === 'groups'
      ? rule.groups
      : creatorGroups.filter((g) => rule.groupPattern === null || globMatch(rule.groupPattern, g));
    for (const group of groups) {
      const had = best.get(group);
      if (had === undefined || levelRank(rule.level) > levelRank(had.level)) best.set(group, { group, level: rule.level, ruleId: rule.id });
    }
  }
  return [...best.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}
