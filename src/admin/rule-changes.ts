// Changes to protected-key rules and team defaults, from the API and the CLI alike: each leaves an
// audit row and a log line (recordChange), as grant and pattern changes do.
import type { ProtectedKeyRule, TeamDefault } from '../store/index.js';
import { recordChange, type ChangeContext } from './changes.js';
import { describeProtectedKey, describeTeamDefault, type ProtectedKeyInput, type TeamDefaultInput } from './rule-input.js';

export async function addProtectedKey(cx: ChangeContext, input: ProtectedKeyInput): Promise<ProtectedKeyRule> {
  const rule = await cx.store.rules.addProtectedKey({ ...input, createdBy: cx.actor });
  await recordChange(cx, { action: 'protected-key.add', resource: `protected-key:${rule.id}`, reason: describeProtectedKey(rule) });
  return rule;
}

export async function deleteProtectedKey(cx: ChangeContext, id: string): Promise<ProtectedKeyRule | undefined> {
  const rule = (await cx.store.rules.protectedKeys()).find((r) => r.id === id);
  if (!rule || !(await cx.store.rules.deleteProtectedKey(id))) return undefined;
  await recordChange(cx, { action: 'protected-key.delete', resource: `protected-key:${rule.id}`, reason: `removed: ${describeProtectedKey(rule)}` });
  return rule;
}

export async function addTeamDefault(cx: ChangeContext, input: TeamDefaultInput): Promise<TeamDefault> {
  const rule = await cx.store.rules.addTeamDefault({ ...input, createdBy: cx.actor });
  await recordChange(cx, { action: 'team-default.add', resource: `team-default:${rule.id}`, level: rule.level, reason: describeTeamDefault(rule) });
  return rule;
}

export async function deleteTeamDefault(cx: ChangeContext, id: string): Promise<TeamDefault | undefined> {
  const rule = (await cx.store.rules.teamDefaults()).find((r) => r.id === id);
  if (!rule || !(await cx.store.rules.deleteTeamDefault(id))) return undefined;
  await recordChange(cx, { action: 'team-default.delete', resource: `team-default:${rule.id}`, level: rule.level, reason: `removed: ${describeTeamDefault(rule)}` });
  return rule;
}
