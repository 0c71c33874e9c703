import type { ResourceType, Subject } from '../../policy/index.js';
import type { Gateway } from '../gateway.js';

/**
 * The ids of `type` the subject could possibly read, when that set is known without scanning
 * MLflow; undefined when it is not (then the caller scans and checks every item).
 *
 * This only picks WHICH objects to ask MLflow for; every object returned is still decided by
 * AccessControl.check, so a candidate set that is too large costs time, never access. It is
 * sound because of two properties of the policy (src/policy/decide.ts):
 *   - a token scope makes everything outside it NO_PERMISSIONS, even for administrators;
 *   - with default NO_PERMISSIONS and no pattern rule of this subject that grants anything
 *     (a NO_PERMISSIONS or DENY rule only takes away), a non-administrator reads only what an explicit
 *     user or group grant covers — the ids grantedIds() lists.
 */
export async function candidateIds(gw: Gateway, subject: Subject, type: ResourceType): Promise<string[] | undefined> {
  const scoped = subject.scope ? [...new Set(subject.scope.filter((s) => s.type === type).map((s) => s.id))] : undefined;
  if (subject.isAdmin) return scoped;
  if (!(await grantsOnly(gw, subject, type))) return scoped;
  const granted = await gw.access.grantedIds(subject, type);
  if (!scoped) return granted;
  const inScope = new Set(scoped);
  return granted.filter((id) => inScope.has(id));
}

/** True when only explicit grants can give this subject READ on `type` (see candidateIds). */
async function grantsOnly(gw: Gateway, subject: Subject, type: ResourceType): Promise<boolean> {
  if (gw.config.defaultPermission !== 'NO_PERMISSIONS') return false;
  const rules = await gw.store.grants.patterns(type);
  return !rules.some(
    (r) => r.level !== 'NO_PERMISSIONS' && r.level !== 'DENY' && (r.principalType === 'user' ? r.principal === subject.userId : subject.groups.includes(r.principal)),
  );
}
