import { describe, expect, it } from 'vitest';
import type { TeamDefault } from '../store/index.js';
import { teamDefaultGrants } from './team-defaults.js';

const base = { createdAt: new Date(0), createdBy: 'root', groupPattern: null, groups: [], creatorGroup: null } as const;
const rule = (over: Partial<TeamDefault>): TeamDefault => ({ ...base, id: 'td', resourceType: 'experiment', grantTo: 'creator_groups', level: 'EDIT', ...over });

describe('team defaults', () => {
  it('gives the creator\'s groups (matching the pattern) the level, per resource type', () => {
    const rules = [rule({ id: 'a', groupPattern: 'team-*' }), rule({ id: 'b', resourceType: 'prompt', level: 'READ' })];
    expect(teamDefaultGrants(rules, 'experiment', ['team-a', 'everyone'])).toEqual([{ group: 'team-a', level: 'EDIT', ruleId: 'a' }]);
    expect(teamDefaultGrants(rules, 'prompt', ['team-a', 'everyone'])).toEqual([
      { group: 'everyone', level: 'READ', ruleId: 'b' },
      { group: 'team-a', level: 'READ', ruleId: 'b' },
    ]);
    expect(teamDefaultGrants(rules, 'registered_model', ['team-a'])).toEqual([]);
  });

  it('named groups, only for creators in creatorGroup; the highest level wins per group', () => {
    const rules = [
      rule({ id: 'x', grantTo: 'groups', groups: ['reviewers'], level: 'READ', creatorGroup: 'team-a' }),
      rule({ id: 'y', grantTo: 'groups', groups: ['reviewers'], level: 'MANAGE', creatorGroup: 'team-b' }),
      rule({ id: 'z', grantTo: 'groups', groups: ['reviewers'], level: 'USE' }),
    ];
    expect(teamDefaultGrants(rules, 'experiment', ['team-a'])).toEqual([{ group: 'reviewers', level: 'USE', ruleId: 'z' }]);
    expect(teamDefaultGrants(rules, 'experiment', ['team-a', 'team-b'])).toEqual([{ group: 'reviewers', level: 'MANAGE', ruleId: 'y' }]);
    expect(teamDefaultGrants(rules, 'experiment', [])).toEqual([{ group: 'reviewers', level: 'USE', ruleId: 'z' }]);
  });
});
