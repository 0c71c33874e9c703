// Reads the database of MLflow's built-in auth (`mlflow server --app-name basic-auth`) into an
// import plan. MLflow 3.17.2 keeps every grant as a role permission: a user's own grants are on a
// synthetic per-user role named `__user_<id>__`, other roles are assigned to users. The older
// per-resource tables (experiment_permissions, registered_model_permissions) are still on disk and
// filled only by older versions: both are read, and the same grant from both folds into one.
import { readFileSync } from 'node:fs';
import { MLFLOW_TO_GATEWAY } from '../auth-api/resource-types.js';
import { GRANT_LEVELS, type GrantLevel, type ResourceType } from '../policy/index.js';
import { alignWithOldDecisions } from './fold.js';
import { addGrant, addPattern, emptyPlan, rolePlaceholder, type ImportPlan, type PlannedRole } from './plan.js';
import type { Row, SourceDb } from './source-db.js';

const WORKSPACE_ADMIN_TYPES: ResourceType[] = ['experiment', 'registered_model', 'prompt', 'gateway_endpoint', 'gateway_secret', 'gateway_model_definition'];

/**
 * MLflow permission → gateway grant level. MLflow's DENY is a veto there (it wins every fold but a
 * workspace admin's) and is the gateway's DENY here (it beats every grant and rule but an
 * administrator's); NO_PERMISSIONS stays the level it is, the lowest in MLflow's fold.
 */
export function levelOf(permission: string): GrantLevel | undefined {
  return GRANT_LEVELS.find((l) => l === permission);
}

export interface BasicAuthOptions {
  /** Usernames that are machines: they become service accounts. */
  readonly serviceAccounts?: readonly string[];
  /** basic_auth.ini, for default_permission. */
  readonly configFile?: string;
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const bool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't' || v === 'true';

export async function readBasicAuth(db: SourceDb, opts: BasicAuthOptions = {}): Promise<ImportPlan> {
  const plan = emptyPlan('basic-auth');
  const tables = await db.tables();
  if (!tables.has('users')) throw new Error('This is not an MLflow basic-auth database (it has no users table)');
  const rows = async (t: string): Promise<Row[]> => (tables.has(t) ? db.rows(t) : []);
  const machines = new Set(opts.serviceAccounts ?? []);
  const users = await rows('users');
  const nameOf = new Map(users.map((u) => [str(u.id), str(u.username)]));
  const admins = new Set(users.filter((u) => bool(u.is_admin)).map((u) => str(u.username)));
  for (const u of users) {
    const username = str(u.username);
    plan.users.push({ username, kind: machines.has(username) ? 'service' : 'person', wasAdmin: admins.has(username) });
  }
  const known = new Set(nameOf.values());
  for (const m of machines) if (!known.has(m)) plan.unmapped.push({ item: `--service-accounts ${m}`, reason: 'no such user in the old database' });
  if (admins.size > 0) {
    plan.notes.push(`Administrators in basic-auth: ${[...admins].sort().join(', ')}. Here administrators are members of OIDC_ADMIN_GROUPS at the IdP (service accounts: in an admin group); the flag is not copied.`);
  }
  if (machines.size > 0) {
    plan.notes.push(`Service accounts (no IdP identity): ${[...machines].sort().join(', ')}; mint their tokens with \`mlflow-oidc-gateway service-accounts token <name>\`.`);
  }
  plan.notes.push('Passwords are not imported: people sign in through the IdP; scripts use a personal access token as MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN).');

  // Roles: the per-user role is the user's own grants; any other role stays a role (records, the
  // grants of its reserved group, its assignments), so AuthServiceClient scripts find it again.
  const roles = await rows('roles');
  const roleGroup = new Map<string, { group: string | null; user: string | null }>();
  const records = new Map<string, PlannedRole>();
  for (const r of roles) {
    const name = str(r.name);
    const workspace = str(r.workspace) || 'default';
    const own = /^__user_(\d+)__$/.exec(name);
    if (own) {
      roleGroup.set(str(r.id), { group: null, user: nameOf.get(own[1]!) ?? null });
      continue;
    }
    const group = rolePlaceholder(workspace, name);
    roleGroup.set(str(r.id), { group, user: null });
    const record: PlannedRole = { name, workspace, description: r.description === null || r.description === undefined ? null : str(r.description), members: [] };
    records.set(group, record);
    plan.roleRecords.push(record);
    if (!plan.workspaces.includes(workspace)) plan.workspaces.push(workspace);
  }
  for (const a of await rows('user_role_assignments')) {
    const role = roleGroup.get(str(a.role_id));
    const user = nameOf.get(str(a.user_id));
    if (role?.group && user) records.get(role.group)!.members.push(user);
  }
  for (const [group, r] of records) {
    r.members.sort();
    plan.roles.push({ name: r.name, workspace: r.workspace, becomes: `a role here (its permissions: grants and rules of ${group}, written to mlflow-role:<id> once it has an id)${r.members.length > 0 ? `, assigned to ${r.members.join(', ')}` : ''}` });
  }

  for (const rp of await rows('role_permissions')) {
    const role = roleGroup.get(str(rp.role_id));
    if (!role || (!role.group && !role.user)) {
      plan.unmapped.push({ item: `role_permissions row ${str(rp.id)}`, reason: 'its role or user no longer exists' });
      continue;
    }
    const principal = role.group ? { principalType: 'group' as const, principal: role.group } : { principalType: 'user' as const, principal: role.user! };
    const from = `role_permissions ${str(rp.id)} (${role.group ? `role ${role.group}` : `__user__ role of ${role.user}`})`;
    mapPermission(plan, principal, str(rp.resource_type), str(rp.resource_pattern), str(rp.permission), from);
  }
  for (const ep of await rows('experiment_permissions')) {
    const user = nameOf.get(str(ep.user_id));
    if (user) mapPermission(plan, { principalType: 'user', principal: user }, 'experiment', str(ep.experiment_id), str(ep.permission), `experiment_permissions (MLflow < 3.14)`);
  }
  for (const mp of await rows('registered_model_permissions')) {
    const user = nameOf.get(str(mp.user_id));
    // Before 3.14 a prompt's grants were registered-model grants (one name space): both types, widening nothing.
    for (const type of ['registered_model', 'prompt']) {
      if (user) mapPermission(plan, { principalType: 'user', principal: user }, type, str(mp.name), str(mp.permission), `registered_model_permissions (MLflow < 3.14)`);
    }
  }
  // MLflow < 3.14's per-type tables for the AI gateway and scorers (3.14+ migrated them into
  // role_permissions; a row left behind is read too and folds with its migrated twin).
  for (const [t, type, idColumn] of OLD_TABLES) {
    for (const r of await rows(t)) {
      const user = nameOf.get(str(r.user_id));
      const id = type === 'scorer' ? `${str(r.experiment_id)}/${encodeURIComponent(str(r.scorer_name))}` : str(r[idColumn]);
      if (user) mapPermission(plan, { principalType: 'user', principal: user }, type, id, str(r.permission), `${t} (MLflow < 3.14)`);
      else plan.unmapped.push({ item: `${t} row ${str(r.id)}`, reason: 'its user no longer exists' });
    }
  }
  const oldWorkspaceRows = (await rows('workspace_permissions')).length;
  if (oldWorkspaceRows > 0) plan.unmapped.push({ item: `${oldWorkspaceRows} row(s) of workspace_permissions (MLflow < 3.14)`, reason: 'read them from role_permissions instead (MLflow 3.14+ migrated them)' });
  if (opts.configFile) {
    const m = /^\s*default_permission\s*=\s*(\S+)/m.exec(readFileSync(opts.configFile, 'utf8'));
    if (m) {
      (plan as { defaultPermission?: ImportPlan['defaultPermission'] }).defaultPermission = { value: m[1]!, from: opts.configFile };
      plan.notes.push(`default_permission = ${m[1]} in ${opts.configFile}: set GATEWAY_DEFAULT_PERMISSION=${levelOf(m[1]!) ?? m[1]} (a setting, not stored data).`);
    }
  }
  alignWithOldDecisions(plan, { admins, membersOf: (u) => [...records].filter(([, r]) => r.members.includes(u)).map(([g]) => g) });
  return plan;
}

/** MLflow < 3.14's per-type permission tables: table, MLflow resource type, the column naming the resource. */
const OLD_TABLES: ReadonlyArray<readonly [string, string, string]> = [
  ['gateway_endpoint_permissions', 'gateway_endpoint', 'endpoint_id'],
  ['gateway_secret_permissions', 'gateway_secret', 'secret_id'],
  ['gateway_model_definition_permissions', 'gateway_model_definition', 'model_definition_id'],
  ['scorer_permissions', 'scorer', 'scorer_name'],
];

function mapPermission(plan: ImportPlan, principal: { principalType: 'user' | 'group'; principal: string }, type: string, pattern: string, permission: string, from: string): void {
  const level = levelOf(permission);
  if (!level) {
    plan.unmapped.push({ item: `${from}: ${type} ${pattern} ${permission}`, reason: `unknown permission ${permission}` });
    return;
  }
  if (type === 'workspace') {
    if (permission === 'MANAGE') {
      // A workspace admin manages every resource in it.
      for (const t of WORKSPACE_ADMIN_TYPES) addPattern(plan, { ...principal, resourceType: t, matcher: 'glob', pattern: '*', level: 'MANAGE', from: `${from}: workspace admin` });
    } else {
      plan.unmapped.push({ item: `${from}: workspace ${permission}`, reason: 'workspace membership: on the gateway everyone signed in gets GATEWAY_DEFAULT_PERMISSION (and GATEWAY_CREATORS decides who creates)' });
    }
    return;
  }
  if (type === 'scorer') {
    mapScorer(plan, principal, pattern, level, from);
    return;
  }
  const resourceType = MLFLOW_TO_GATEWAY[type];
  if (!resourceType) {
    plan.unmapped.push({ item: `${from}: ${type} ${pattern} ${permission}`, reason: `no per-resource grants of type ${type} on the gateway (authorized through the parent resource)` });
    return;
  }
  if (pattern === '*') addPattern(plan, { ...principal, resourceType, matcher: 'glob', pattern: '*', level, from });
  else addGrant(plan, { ...principal, resourceType, resourceId: pattern, level, from });
}

/**
 * MLflow keys a scorer grant by `<experiment id>/<scorer name>`; the gateway has no scorer grants
 * and decides every scorer route by the scorer's experiment. So a scorer grant is reported with
 * what decides instead, never widened onto the experiment (which would reach all of its runs and
 * traces) — and a scorer DENY, which the gateway cannot keep for the scorer alone, is called out as
 * a change the operator has to decide on (deny the experiment, or accept the experiment's level).
 */
function mapScorer(plan: ImportPlan, principal: { principalType: 'user' | 'group'; principal: string }, pattern: string, level: GrantLevel, from: string): void {
  const who = `${principal.principalType} ${principal.principal}`;
  const experiment = pattern === '*' ? 'each experiment' : `experiment ${pattern.split('/')[0]}`;
  const scorer = pattern === '*' ? 'every scorer' : `scorer ${decodeURIComponent(pattern.slice(pattern.indexOf('/') + 1))} of experiment ${pattern.split('/')[0]}`;
  plan.unmapped.push({
    item: `${from}: ${who} ${level} on ${scorer}`,
    reason: level === 'DENY'
      ? `NOT KEPT: the gateway has no scorer grants, so ${who}'s access to ${experiment} decides for its scorers; to keep the deny, deny ${experiment} (a wider deny)`
      : `the gateway has no scorer grants: ${who}'s access to ${experiment} decides for its scorers (nothing is widened)`,
  });
}
