// Reads mlflow-oidc-auth's database (11.x, OIDC_USERS_DB_URI) into an import plan: users, service
// accounts, groups and memberships, user and group permissions per resource type, regex and
// group-regex permissions as pattern rules (their priority reported), workspaces. Its access tokens
// are not carried over (only hashes are stored, and they are another product's secrets): their
// owners are listed as needing new personal access tokens.
//
// Its decision order is user grant → group grants → regex → group regex, which is the gateway's
// precedence too (a user grant overrides group grants; a NO_PERMISSIONS group grant denies), so
// grants carry over one for one. Regexes match with Python's re.match (anchored at the start
// only); the gateway's regex rules match the whole name, so each becomes `(?:<regex>).*`.
import type { ResourceType } from '../policy/index.js';
import { levelOf } from './basic-auth.js';
import { addGrant, addPattern, emptyPlan, type ImportPlan } from './plan.js';
import type { Row, SourceDb } from './source-db.js';

/**
 * Table stem → gateway type and the column naming the resource. The AI gateway's tables name the
 * resource in a column called *_id that holds its NAME (mlflow-oidc-auth decides them by
 * `gateway_name`), while the gateway's grants are by MLflow's id: those become exact-name pattern
 * rules (`byName`), which the gateway matches against the name MLflow reports for the object.
 */
const KINDS: ReadonlyArray<{ stem: string; type: ResourceType | null; idColumn: string; byName?: true }> = [
  { stem: 'experiment', type: 'experiment', idColumn: 'experiment_id' },
  { stem: 'registered_model', type: 'registered_model', idColumn: 'name' },
  { stem: 'gateway_endpoint', type: 'gateway_endpoint', idColumn: 'endpoint_id', byName: true },
  { stem: 'scorer', type: null, idColumn: 'scorer_name' },
  { stem: 'gateway_secret', type: 'gateway_secret', idColumn: 'secret_id', byName: true },
  { stem: 'gateway_model_definition', type: 'gateway_model_definition', idColumn: 'model_definition_id', byName: true },
  { stem: 'mcp_server', type: null, idColumn: 'name' },
];

/** A pattern rule matching exactly one name: a glob when the name has no wildcard characters. */
export function exactName(name: string): { matcher: 'glob' | 'regex'; pattern: string } {
  if (!/[*?]/.test(name)) return { matcher: 'glob', pattern: name };
  return { matcher: 'regex', pattern: name.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&') };
}

/**
 * Registered-model grant rows hold prompt grants too, and mlflow-oidc-auth's lookups count a grant
 * on a name whatever its `prompt` flag (prompts and models share one name space): each such grant
 * is written for both types here, which widens nothing (a name is one or the other). Its regex rows
 * are kept apart by the flag, and so are the rules made from them.
 */
const REGISTRY_TYPES: ResourceType[] = ['registered_model', 'prompt'];

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const bool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't' || v === 'true';

export async function readOidcAuth(db: SourceDb): Promise<ImportPlan> {
  const plan = emptyPlan('mlflow-oidc-auth');
  const tables = await db.tables();
  if (!tables.has('users') || !tables.has('experiment_permissions')) throw new Error('This is not an mlflow-oidc-auth database (no users and experiment_permissions tables)');
  const rows = async (t: string): Promise<Row[]> => (tables.has(t) ? db.rows(t) : []);
  const users = await rows('users');
  const userName = new Map(users.map((u) => [str(u.id), str(u.username)]));
  const groupsRows = await rows('groups');
  const groupName = new Map(groupsRows.map((g) => [str(g.id), str(g.group_name)]));
  const admins = new Set<string>();
  for (const u of users) {
    const username = str(u.username);
    const service = bool(u.is_service_account);
    if (bool(u.is_admin)) admins.add(username);
    if (u.active !== undefined && u.active !== null && !bool(u.active)) plan.notes.push(`${username} is inactive in mlflow-oidc-auth: imported; disable it here with \`POST /_gateway/api/v1/users/${username}/disable\` if it should stay so`);
    plan.users.push({ username, kind: service ? 'service' : 'person', wasAdmin: bool(u.is_admin) });
  }
  for (const g of groupsRows) plan.groups.set(str(g.group_name), new Set());
  for (const m of await rows('user_groups')) {
    const g = groupName.get(str(m.group_id));
    const u = userName.get(str(m.user_id));
    if (g && u) plan.groups.get(g)!.add(u);
  }
  // Service accounts keep their recorded groups (no IdP reports them); people's come from the IdP.
  for (const [i, u] of plan.users.entries()) {
    if (u.kind === 'service') plan.users[i] = { ...u, groups: [...plan.groups].filter(([, m]) => m.has(u.username)).map(([g]) => g) };
  }
  if (admins.size > 0) plan.notes.push(`Administrators in mlflow-oidc-auth: ${[...admins].sort().join(', ')}. Here administrators are members of OIDC_ADMIN_GROUPS (OIDC_ADMIN_GROUP_NAME there); the flag is not copied.`);
  for (const [g, members] of plan.groups) {
    if (members.size > 0) plan.notes.push(`Group ${g}: its recorded members (${[...members].sort().join(', ')}) must carry "${g}" in the IdP's groups claim, as they did for mlflow-oidc-auth.`);
  }
  const withTokens = new Set((await rows('user_tokens')).map((t) => userName.get(str(t.user_id))).filter((u): u is string => !!u));
  plan.needNewTokens.push(...[...withTokens].sort());

  for (const kind of KINDS) {
    for (const [suffix, principalType] of [['permissions', 'user'], ['group_permissions', 'group']] as const) {
      for (const r of await rows(`${kind.stem}_${suffix}`)) {
        const principal = principalType === 'user' ? userName.get(str(r.user_id)) : groupName.get(str(r.group_id));
        const from = `${kind.stem}_${suffix} ${str(r.id)}`;
        if (!principal) {
          plan.unmapped.push({ item: from, reason: `its ${principalType} no longer exists` });
          continue;
        }
        const level = levelOf(str(r.permission));
        if (!kind.type || !level) {
          plan.unmapped.push({ item: `${from}: ${principalType} ${principal} ${str(r.permission)} on ${kind.stem} ${str(r[kind.idColumn])}`, reason: !level ? `unknown permission ${str(r.permission)}` : `no per-resource grants of type ${kind.stem} on the gateway (authorized through the parent resource)` });
          continue;
        }
        const id = str(r[kind.idColumn]);
        if (kind.byName) addPattern(plan, { principalType, principal, resourceType: kind.type, ...exactName(id), level, from: `${from} (by name)` });
        else if (kind.stem === 'registered_model') for (const t of REGISTRY_TYPES) addGrant(plan, { principalType, principal, resourceType: t, resourceId: id, level, from });
        else addGrant(plan, { principalType, principal, resourceType: kind.type, resourceId: id, level, from });
      }
      for (const r of await rows(`${kind.stem}_${suffix.replace('permissions', 'regex_permissions')}`)) {
        const principal = principalType === 'user' ? userName.get(str(r.user_id)) : groupName.get(str(r.group_id));
        const from = `${kind.stem}_${suffix.replace('permissions', 'regex_permissions')} ${str(r.id)}`;
        const level = levelOf(str(r.permission));
        if (!principal || !kind.type || !level) {
          plan.unmapped.push({ item: `${from}: regex ${JSON.stringify(str(r.regex))}`, reason: !principal ? `its ${principalType} no longer exists` : !level ? `unknown permission ${str(r.permission)}` : `no per-resource grants of type ${kind.stem} on the gateway` });
          continue;
        }
        const types = kind.stem === 'registered_model' ? (bool(r.prompt) ? ['prompt' as const] : ['registered_model' as const]) : [kind.type];
        for (const t of types) addPattern(plan, { principalType, principal, resourceType: t, matcher: 'regex', pattern: `(?:${str(r.regex)}).*`, level, from, priority: Number(r.priority) });
      }
    }
  }
  const prioritized = plan.patterns.filter((p) => p.priority !== undefined);
  if (prioritized.length > 1) {
    plan.notes.push('Regex priorities: mlflow-oidc-auth tries the lowest priority number first; here user rules beat group rules, then the most specific pattern, then the lower level. Check overlapping patterns with `mlflow-oidc-gateway explain` after the import.');
  }
  const workspaces = new Set<string>();
  for (const t of ['workspace_permissions', 'workspace_group_permissions']) {
    for (const r of await rows(t)) {
      workspaces.add(str(r.workspace));
      plan.unmapped.push({ item: `${t}: ${r.user_id !== undefined ? `user ${userName.get(str(r.user_id)) ?? r.user_id}` : `group ${groupName.get(str(r.group_id)) ?? r.group_id}`} ${str(r.permission)} on workspace ${str(r.workspace)}`, reason: 'workspace membership: here everyone signed in gets GATEWAY_DEFAULT_PERMISSION in every workspace; grant per resource or by pattern instead' });
    }
  }
  for (const t of ['workspace_regex_permissions', 'workspace_group_regex_permissions', 'workspace_group_rules']) {
    const n = (await rows(t)).length;
    if (n > 0) plan.unmapped.push({ item: `${n} row(s) of ${t}`, reason: 'workspace rules have no equivalent here' });
  }
  plan.workspaces.push(...[...workspaces].sort());
  return plan;
}
