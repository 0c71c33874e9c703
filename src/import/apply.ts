// Writes an import plan into the gateway's store, in one transaction, through the same functions
// as every other grant change (src/admin/changes.ts: each write audited and logged). Idempotent:
// what is already there is counted as unchanged and not written, so a second run changes nothing.
import { addPattern, currentGrantLevel, deletePattern, recordChange, setGrant, type ChangeContext } from '../admin/changes.js';
import type { StoredPrincipal } from '../admin/principals.js';
import type { Config } from '../config/index.js';
import { createServiceAccount } from '../service-accounts/manage.js';
import { AHEAD_OF_SIGN_IN, type Store } from '../store/index.js';
import type { ImportPlan } from './plan.js';
import { applyRoles } from './apply-roles.js';

export interface ApplyResult {
  readonly usersCreated: number;
  readonly serviceAccountsCreated: number;
  readonly grantsWritten: number;
  readonly patternsWritten: number;
  /** Role records, role permissions and assignments written. */
  readonly rolesWritten: number;
  readonly unchanged: number;
  /** Planned users whose name is taken here by another kind of account (kept as it is). */
  readonly conflicts: string[];
}

/** How each planned user stands in the gateway's store before the import. */
export async function accountStates(store: Store, plan: ImportPlan): Promise<Map<string, 'new' | 'ahead-of-sign-in' | 'signed-in' | 'service-account'>> {
  const out = new Map<string, 'new' | 'ahead-of-sign-in' | 'signed-in' | 'service-account'>();
  for (const u of plan.users) {
    const existing = await store.users.getByUsername(u.username);
    out.set(u.username, !existing ? 'new' : existing.kind === 'service' ? 'service-account' : existing.subjectKey.startsWith(AHEAD_OF_SIGN_IN) ? 'ahead-of-sign-in' : 'signed-in');
  }
  return out;
}

export async function applyPlan(config: Config, store: Store, cx: Omit<ChangeContext, 'store'>, plan: ImportPlan): Promise<ApplyResult> {
  if (!store.transaction) throw new Error('This store cannot run an import in one transaction');
  return store.transaction(async (tx) => {
    const changes: ChangeContext = { ...cx, store: tx };
    let usersCreated = 0;
    let serviceAccountsCreated = 0;
    let grantsWritten = 0;
    let patternsWritten = 0;
    let unchanged = 0;
    const conflicts: string[] = [];
    for (const u of plan.users) {
      const existing = await tx.users.getByUsername(u.username);
      if (existing) {
        if (existing.kind !== u.kind) conflicts.push(`${u.username} is a ${existing.kind === 'service' ? 'service account' : 'person'} here, a ${u.kind === 'service' ? 'service account' : 'person'} in the plan: kept as it is`);
        unchanged++;
        continue;
      }
      if (u.kind === 'service') {
        await createServiceAccount(config, changes, { name: u.username, description: `imported from ${plan.source}`, groups: u.groups ?? [] });
        serviceAccountsCreated++;
      } else {
        await tx.users.createAhead(u.username, new Date());
        await recordChange(changes, { action: 'user.create', resource: `user:${u.username}`, reason: `imported from ${plan.source}: recorded ahead of first sign-in` });
        usersCreated++;
      }
    }
    const roles = await applyRoles(tx, changes, plan);
    unchanged += roles.unchanged;
    const principal = async (type: 'user' | 'group', name: string): Promise<StoredPrincipal | undefined> => {
      if (type === 'group') {
        const group = roles.groups.get(name) ?? name; // an imported role's placeholder: its reserved group
        return { type, key: group, name: group };
      }
      const user = await tx.users.getByUsername(name);
      return user && { type, key: user.id, name, user };
    };
    for (const g of plan.grants) {
      const p = await principal(g.principalType, g.principal);
      if (!p) continue; // a user the plan does not create (reported by the reader)
      const target = { principal: p, resourceType: g.resourceType, resourceId: g.resourceId };
      if ((await currentGrantLevel(tx, target)) === g.level) {
        unchanged++;
        continue;
      }
      await setGrant(changes, target, g.level);
      grantsWritten++;
    }
    const rules = await tx.grants.listPatterns();
    for (const r of plan.patterns) {
      const p = await principal(r.principalType, r.principal);
      if (!p) continue;
      const same = rules.filter((x) => x.principalType === p.type && x.principal === p.key && x.resourceType === r.resourceType && x.matcher === r.matcher && x.pattern === r.pattern);
      if (same.length === 1 && same[0]!.level === r.level) {
        unchanged++;
        continue;
      }
      for (const old of same) await deletePattern(changes, old.id, async () => p.name);
      await addPattern(changes, p, { resourceType: r.resourceType, matcher: r.matcher, pattern: r.pattern, level: r.level });
      patternsWritten++;
    }
    return { usersCreated, serviceAccountsCreated, grantsWritten, patternsWritten, rolesWritten: roles.written, unchanged, conflicts };
  });
}
