// The reserved group names of MLflow roles, `mlflow-role:<id>`: pure, so the web UI bundles the
// same test (ui/src/sharing/role-groups.ts) and cannot show as grantable what the gateway refuses.

export const ROLE_GROUP_PREFIX = 'mlflow-role:';

export const roleGroup = (roleId: number): string => `${ROLE_GROUP_PREFIX}${roleId}`;

/** Case-insensitive: a policy that ever compared group names loosely must not reopen the hole. */
export const isRoleGroup = (group: string): boolean => group.trim().toLowerCase().startsWith(ROLE_GROUP_PREFIX);

export const withoutRoleGroups = (groups: readonly string[]): string[] => groups.filter((g) => !isRoleGroup(g));
