// A group as a tag on people's and service accounts' pages. An MLflow role's reserved group
// (mlflow-role:<id>) is shown as the role it is, with where it is managed, not as a group name to grant to.
import { Tag } from '../components/ui';
import { isRoleGroup, ROLE_GROUP_SHORT_NOTE } from './role-groups';

/** `mlflow-role:3` → `MLflow role 3`; any other group as it is. */
export function groupLabel(group: string): string {
  return isRoleGroup(group) ? `MLflow role ${group.slice(group.indexOf(':') + 1)}` : group;
}

export function GroupTag({ group }: { group: string }) {
  if (!isRoleGroup(group)) return <Tag>{group}</Tag>;
  return <span title={`${group}: ${ROLE_GROUP_SHORT_NOTE}`}><Tag tone="info">{groupLabel(group)}</Tag></span>;
}
