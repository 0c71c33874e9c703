// MLflow roles' reserved groups (mlflow-role:<id>) in the UI: the gateway's own test of the name
// (bundled by Vite), and the words for why such a group's grants are not changed here.
export { isRoleGroup } from '../../../src/store/role-group-names.js';

/** Why there is no grant or share action on a role's group: the admin API refuses them. */
export const ROLE_GROUP_NOTE = "An MLflow role's group: its members are the role's assignments and its grants the role's permissions. Change them through MLflow's auth API (roles/assign, roles/permissions/add, update, remove) — the gateway refuses grants to this group made here.";

/** The same, in a line: for a role's grant in a resource's list of grants. */
export const ROLE_GROUP_SHORT_NOTE = "Managed through MLflow's auth API (roles/permissions/*), not here.";
