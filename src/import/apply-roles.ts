// Imported MLflow roles (basic-auth) become gateway roles: the record (found by workspace and name,
// so a second run finds the first run's), a role permission per grant or `*` rule the plan gives the
// role's placeholder group, and the assignments. The grants and rules themselves are written by
// apply.ts to the role's reserved group, which this maps the placeholder to. Idempotent.
import { recordChange, type ChangeContext } from '../admin/changes.js';
import { roleGroup, type Store } from '../store/index.js';
import { rolePlaceholder, type ImportPlan } from './plan.js';

export interface AppliedRoles {
  /** Placeholder group in the plan → the role's reserved group here. */
  readonly groups: Map<string, string>;
  readonly written: number;
  readonly unchanged: number;
}

export async function applyRoles(tx: Store, cx: ChangeContext, plan: ImportPlan): Promise<AppliedRoles> {
  const groups = new Map<string, string>();
  let written = 0;
  let unchanged = 0;
  for (const planned of plan.roleRecords) {
    const placeholder = rolePlaceholder(planned.workspace, planned.name);
    let role = (await tx.roles.list([planned.workspace])).find((r) => r.name === planned.name);
    if (role) {
      unchanged++;
    } else {
      role = (await tx.roles.create({ name: planned.name, workspace: planned.workspace, description: planned.description }, new Date()))!;
      await recordChange(cx, { action: 'role.create', resource: `role:${role.id}`, reason: `imported from ${plan.source}: MLflow role ${planned.name} (workspace ${planned.workspace})` });
      written++;
    }
    groups.set(placeholder, roleGroup(role.id));
    const permissions = [
      ...plan.grants.filter((g) => g.principalType === 'group' && g.principal === placeholder).map((g) => ({ resourceType: g.resourceType as string, resourcePattern: g.resourceId, permission: g.level as string })),
      ...plan.patterns.filter((p) => p.principalType === 'group' && p.principal === placeholder && p.matcher === 'glob' && p.pattern === '*')
        .map((p) => ({ resourceType: p.resourceType as string, resourcePattern: '*', permission: p.level as string })),
    ];
    for (const p of permissions) {
      const same = role.permissions.find((x) => x.resourceType === p.resourceType && x.resourcePattern === p.resourcePattern);
      if (same?.permission === p.permission) {
        unchanged++;
        continue;
      }
      if (same) await tx.roles.updatePermission(same.id, p.permission);
      else await tx.roles.addPermission(role.id, p);
      await recordChange(cx, { action: same ? 'role.permission.update' : 'role.permission.add', resource: `role:${role.id}`, reason: `imported from ${plan.source}: MLflow role ${planned.name}: ${p.permission} on ${p.resourceType} ${p.resourcePattern}` });
      written++;
    }
    const members = new Set((await tx.roles.members(role.id)).map((a) => a.userId));
    for (const username of planned.members) {
      const user = await tx.users.getByUsername(username);
      if (!user) continue; // reported by the reader (a user the plan does not create)
      if (members.has(user.id)) {
        unchanged++;
        continue;
      }
      await tx.roles.assign(role.id, user.id);
      await recordChange(cx, { action: 'role.assign', resource: `role:${role.id}`, principal: `user ${username}`, reason: `imported from ${plan.source}: ${username} has MLflow role ${planned.name}` });
      written++;
    }
  }
  return { groups, written, unchanged };
}
