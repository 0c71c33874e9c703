// The dry-run report (and, after --apply, what was written): counts first, then every item, then
// what could not be mapped and what the operator still has to do. JSON for programs.
import type { ApplyResult } from './apply.js';
import type { ImportPlan } from './plan.js';

type States = Map<string, string>;

export function reportJson(plan: ImportPlan, states: States, applied?: ApplyResult) {
  const grantsPerType: Record<string, number> = {};
  for (const g of plan.grants) grantsPerType[g.resourceType] = (grantsPerType[g.resourceType] ?? 0) + 1;
  return {
    source: plan.source,
    mode: applied ? 'applied' : 'dry-run',
    counts: {
      users: plan.users.filter((u) => u.kind === 'person').length,
      service_accounts: plan.users.filter((u) => u.kind === 'service').length,
      admins: plan.users.filter((u) => u.wasAdmin).length,
      groups: plan.groups.size,
      grants: plan.grants.length,
      grants_per_type: grantsPerType,
      pattern_rules: plan.patterns.length,
      roles: plan.roles.length,
      workspaces: plan.workspaces.length,
      unmapped: plan.unmapped.length,
    },
    users: plan.users.map((u) => ({ username: u.username, kind: u.kind, was_admin: u.wasAdmin, here: states.get(u.username) ?? 'new' })),
    only_in_old_database: plan.users.filter((u) => (states.get(u.username) ?? 'new') === 'new' || states.get(u.username) === 'ahead-of-sign-in').map((u) => u.username),
    groups: [...plan.groups].map(([name, members]) => ({ name, members: [...members].sort() })),
    grants: plan.grants.map((g) => ({ principal_type: g.principalType, principal: g.principal, resource_type: g.resourceType, resource_id: g.resourceId, level: g.level, from: g.from })),
    pattern_rules: plan.patterns.map((p) => ({
      principal_type: p.principalType, principal: p.principal, resource_type: p.resourceType, matcher: p.matcher, pattern: p.pattern, level: p.level, from: p.from,
      ...(p.priority !== undefined ? { priority: p.priority } : {}),
    })),
    roles: plan.roles,
    workspaces: plan.workspaces,
    default_permission: plan.defaultPermission ?? null,
    unmapped: plan.unmapped,
    need_new_tokens: plan.needNewTokens,
    notes: plan.notes,
    ...(applied ? { applied: {
      users_created: applied.usersCreated, service_accounts_created: applied.serviceAccountsCreated, grants_written: applied.grantsWritten,
      pattern_rules_written: applied.patternsWritten, roles_written: applied.rolesWritten, unchanged: applied.unchanged, conflicts: applied.conflicts,
    } } : {}),
  };
}

export function reportText(plan: ImportPlan, states: States, applied?: ApplyResult): string {
  const j = reportJson(plan, states, applied);
  const c = j.counts;
  const lines = [
    `Import from ${plan.source} — ${applied ? 'APPLIED' : 'dry run (nothing written; add --apply to write it)'}`,
    '',
    `  users ${c.users} (administrators there: ${c.admins}), service accounts ${c.service_accounts}, groups ${c.groups}, roles ${c.roles}, workspaces ${c.workspaces}`,
    `  grants ${c.grants} (${Object.entries(c.grants_per_type).map(([t, n]) => `${t} ${n}`).join(', ') || 'none'}), pattern rules ${c.pattern_rules}, not mappable ${c.unmapped}`,
  ];
  if (plan.defaultPermission) lines.push(`  default permission: ${plan.defaultPermission.value} (from ${plan.defaultPermission.from})`);
  lines.push('', 'Users:');
  for (const u of j.users) lines.push(`  ${u.username.padEnd(24)} ${u.kind === 'service' ? 'service account' : 'person'}${u.was_admin ? ', administrator there' : ''} — here: ${u.here}`);
  if (j.only_in_old_database.length > 0) lines.push('', `Accounts that exist only in the old database (never signed in here): ${j.only_in_old_database.join(', ')}`, '  they are recorded ahead of sign-in; each is taken over by the first sign-in with that username.');
  if (j.groups.length > 0) {
    lines.push('', 'Groups:');
    for (const g of j.groups) lines.push(`  ${g.name}: ${g.members.join(', ') || '(no members recorded)'}`);
  }
  lines.push('', 'Grants:');
  for (const g of j.grants) lines.push(`  ${g.principal_type} ${g.principal} → ${g.level} on ${g.resource_type} ${g.resource_id}   (${g.from})`);
  if (j.pattern_rules.length > 0) {
    lines.push('', 'Pattern rules:');
    for (const p of j.pattern_rules) lines.push(`  ${p.principal_type} ${p.principal} → ${p.level} on ${p.resource_type} matching ${p.matcher} ${JSON.stringify(p.pattern)}${'priority' in p ? ` (priority ${p.priority} there)` : ''}   (${p.from})`);
  }
  if (j.roles.length > 0) {
    lines.push('', 'Roles:');
    for (const r of j.roles) lines.push(`  ${r.name} (workspace ${r.workspace}) → ${r.becomes}`);
  }
  if (j.unmapped.length > 0) {
    lines.push('', 'Not mapped:');
    for (const u of j.unmapped) lines.push(`  ${u.item}: ${u.reason}`);
  }
  if (j.need_new_tokens.length > 0) lines.push('', `Accounts with access tokens in the old product (they need new personal access tokens here): ${j.need_new_tokens.join(', ')}`);
  if (j.notes.length > 0) {
    lines.push('', 'To do / notes:');
    for (const n of j.notes) lines.push(`  - ${n}`);
  }
  if (j.applied) {
    const a = j.applied;
    lines.push('', `Written: ${a.users_created} user(s), ${a.service_accounts_created} service account(s), ${a.grants_written} grant(s), ${a.pattern_rules_written} pattern rule(s), ${a.roles_written} role record(s) and assignment(s); ${a.unchanged} already there (unchanged).`);
    for (const x of a.conflicts) lines.push(`  conflict: ${x}`);
  }
  return `${lines.join('\n')}\n`;
}
