// Public surface of the policy module. Explicit names so that internal helpers stay internal
// and a removed export is a compile error at the import site, not a silent undefined.
export { ACTIONS, CHILD_PARENT, CHILD_RESOURCE_TYPES, GRANT_LEVELS, LEVELS, PARENT_RESOURCE_TYPES, RESOURCE_TYPES, isChildType } from './types.js';
export type {
  Action,
  ChildResourceType,
  GrantLevel,
  ParentResourceType,
  Decision,
  DecisionSource,
  Grant,
  Level,
  PatternRule,
  PolicyFacts,
  Resource,
  ResourceType,
  Subject,
} from './types.js';
export { atLeast, grantLevelRank, isGrantLevel, isLevel, levelRank, maxLevel, minLevel, requiredLevel } from './levels.js';
export { MAX_PATTERN_LENGTH, comparePatternRules, globMatch, matchesPattern, patternSpecificity, validatePattern } from './patterns.js';
export { decide, explain } from './decide.js';
export type { ConsideredGrant, ConsideredRule, Explanation } from './decide.js';
