// Protected-key rules and team defaults (migration 0006): small admin-written tables, read whole
// (the cache in src/cache/cached-store.ts keeps them; they change rarely).
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Level } from '../policy/types.js';
import type { Tables } from './schema.js';
import type { PermissionRuleStore, ProtectedKeyRule, TeamDefault } from './types.js';

function toProtected(r: Selectable<Tables['protected_keys']>): ProtectedKeyRule {
  return {
    id: r.id, resourceType: r.resource_type as ProtectedKeyRule['resourceType'], resourcePattern: r.resource_pattern,
    target: r.target as ProtectedKeyRule['target'], keyPattern: r.key_pattern, requiredLevel: (r.required_level as Level | null) ?? null,
    allowedGroups: JSON.parse(r.allowed_groups_json) as string[], createdAt: new Date(Number(r.created_at)), createdBy: r.created_by,
  };
}

function toTeamDefault(r: Selectable<Tables['team_defaults']>): TeamDefault {
  return {
    id: r.id, resourceType: r.resource_type as TeamDefault['resourceType'], creatorGroup: r.creator_group, grantTo: r.grant_to as TeamDefault['grantTo'],
    groupPattern: r.group_pattern, groups: JSON.parse(r.groups_json) as string[], level: r.level as Level,
    createdAt: new Date(Number(r.created_at)), createdBy: r.created_by,
  };
}

export function ruleStore(db: Kysely<Tables>): PermissionRuleStore {
  return {
    async protectedKeys() {
      return (await db.selectFrom('protected_keys').selectAll().orderBy('created_at').orderBy('id').execute()).map(toProtected);
    },
    async addProtectedKey(rule) {
      const row = {
        id: `pk_${randomUUID().slice(0, 8)}`, resource_type: rule.resourceType, resource_pattern: rule.resourcePattern, target: rule.target,
        key_pattern: rule.keyPattern, required_level: rule.requiredLevel, allowed_groups_json: JSON.stringify(rule.allowedGroups),
        created_at: Date.now(), created_by: rule.createdBy,
      };
      await db.insertInto('protected_keys').values(row).execute();
      return toProtected(row);
    },
    async deleteProtectedKey(id) {
      const r = await db.deleteFrom('protected_keys').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async teamDefaults() {
      return (await db.selectFrom('team_defaults').selectAll().orderBy('created_at').orderBy('id').execute()).map(toTeamDefault);
    },
    async addTeamDefault(rule) {
      const row = {
        id: `td_${randomUUID().slice(0, 8)}`, resource_type: rule.resourceType, creator_group: rule.creatorGroup, grant_to: rule.grantTo,
        group_pattern: rule.groupPattern, groups_json: JSON.stringify(rule.groups), level: rule.level, created_at: Date.now(), created_by: rule.createdBy,
      };
      await db.insertInto('team_defaults').values(row).execute();
      return toTeamDefault(row);
    },
    async deleteTeamDefault(id) {
      const r = await db.deleteFrom('team_defaults').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
