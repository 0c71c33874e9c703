// Strict parsing of protected-key rules and team defaults (admin API bodies and CLI options alike).
import { LEVELS, validatePattern, type Level } from '../policy/index.js';
import { PROTECTABLE_TYPES, TEAM_DEFAULT_TYPES, type ProtectedKeyRule, type TeamDefault } from '../store/index.js';
import { badRequest, oneOf, onlyFields, optionalText, text, type Fields } from './input.js';

const MAX_GROUPS = 100;

function groupList(input: Fields, field: string): string[] {
  const v = input[field];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badRequest(`${field} must be a list of group names`);
  if (v.length > MAX_GROUPS) throw badRequest(`${field} names more than ${MAX_GROUPS} groups`);
  return [...new Set(v.map((g, i) => text({ [`${field}[${i}]`]: g }, `${field}[${i}]`)))];
}

function glob(input: Fields, field: string, fallback?: string): string {
  const v = input[field] === undefined && fallback !== undefined ? fallback : text(input, field);
  const unusable = validatePattern('glob', v);
  if (unusable !== null) throw badRequest(`${field} ${JSON.stringify(v)} cannot be used: ${unusable}`);
  return v;
}

export type ProtectedKeyInput = Omit<ProtectedKeyRule, 'id' | 'createdAt' | 'createdBy'>;

export function protectedKeyInput(input: Fields): ProtectedKeyInput {
  onlyFields(input, ['resource_type', 'resource_pattern', 'target', 'key_pattern', 'required_level', 'allowed_groups'], 'protected key rule');
  const resourceType = oneOf(input, 'resource_type', PROTECTABLE_TYPES);
  const target = oneOf(input, 'target', ['alias', 'tag'] as const);
  if (target === 'alias' && resourceType !== 'registered_model' && resourceType !== 'prompt') {
    throw badRequest(`Aliases exist on registered models and prompts only, not on ${resourceType}`);
  }
  const requiredLevel: Level | null = input.required_level === undefined || input.required_level === null ? null : oneOf(input, 'required_level', LEVELS);
  const allowedGroups = groupList(input, 'allowed_groups');
  if (requiredLevel === null && allowedGroups.length === 0) throw badRequest('A protected key rule needs required_level, allowed_groups, or both');
  return { resourceType, resourcePattern: glob(input, 'resource_pattern', '*'), target, keyPattern: glob(input, 'key_pattern'), requiredLevel, allowedGroups };
}

export type TeamDefaultInput = Omit<TeamDefault, 'id' | 'createdAt' | 'createdBy'>;

export function teamDefaultInput(input: Fields): TeamDefaultInput {
  onlyFields(input, ['resource_type', 'level', 'grant_to', 'group_pattern', 'groups', 'creator_group'], 'team default');
  const resourceType = oneOf(input, 'resource_type', TEAM_DEFAULT_TYPES);
  const level = oneOf(input, 'level', LEVELS.filter((l) => l !== 'NO_PERMISSIONS'));
  const grantTo = oneOf(input, 'grant_to', ['creator_groups', 'groups'] as const);
  const groups = groupList(input, 'groups');
  const groupPattern = input.group_pattern === undefined || input.group_pattern === null ? null : glob(input, 'group_pattern');
  if (grantTo === 'groups' && groups.length === 0) throw badRequest('grant_to "groups" needs groups: the groups that get the level');
  if (grantTo === 'groups' && groupPattern !== null) throw badRequest('group_pattern selects among the creator\'s groups; it is for grant_to "creator_groups"');
  if (grantTo === 'creator_groups' && groups.length > 0) throw badRequest('groups are for grant_to "groups"; use group_pattern to pick among the creator\'s groups');
  return { resourceType, level, grantTo, groupPattern, groups, creatorGroup: optionalText(input, 'creator_group') ?? null };
}

export function protectedKeyJson(r: ProtectedKeyRule): Record<string, unknown> {
  return {
    id: r.id, resource_type: r.resourceType, resource_pattern: r.resourcePattern, target: r.target, key_pattern: r.keyPattern,
    required_level: r.requiredLevel, allowed_groups: r.allowedGroups, created_at: r.createdAt.toISOString(), created_by: r.createdBy,
  };
}

export function teamDefaultJson(r: TeamDefault): Record<string, unknown> {
  return {
    id: r.id, resource_type: r.resourceType, level: r.level, grant_to: r.grantTo, group_pattern: r.groupPattern, groups: r.groups,
    creator_group: r.creatorGroup, created_at: r.createdAt.toISOString(), created_by: r.createdBy,
  };
}

export function describeProtectedKey(r: ProtectedKeyInput): string {
  const who = [r.requiredLevel ? `${r.requiredLevel}` : '', r.allowedGroups.length ? `members of ${r.allowedGroups.join(', ')}` : ''].filter(Boolean).join(' and ');
  return `${r.target} ${JSON.stringify(r.keyPattern)} on ${r.resourceType} ${JSON.stringify(r.resourcePattern)} needs ${who}`;
}

export function describeTeamDefault(r: TeamDefaultInput): string {
  const to = r.grantTo === 'groups' ? r.groups.join(', ') : `the creator's groups${r.groupPattern ? ` matching ${JSON.stringify(r.groupPattern)}` : ''}`;
  return `new ${r.resourceType}${r.creatorGroup ? ` created by members of ${r.creatorGroup}` : ''}: ${to} get ${r.level}`;
}
