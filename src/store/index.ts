export { openStore } from './open.js';
export { AHEAD_BY_EMAIL, AHEAD_OF_SIGN_IN } from './types.js';
export { PROTECTABLE_TYPES, TEAM_DEFAULT_TYPES } from './types.js';
export type { PermissionRuleStore, ProtectableType, ProtectedKeyRule, TeamDefault, TeamDefaultType, ApiToken, ClaimCondition, ClientMapping, FederationStore, NewServiceAccount, ServiceAccount, ServiceAccountStore, TrustRule, AuditEvent, AuditQuery, AuditRecord, AuditStore, GrantStore, IdpSessionMatch, OneTimeIdStore, NewApiToken, TokenStore, LoginIdentity, NewSession, Session, SessionStore, Store, User, UserStore, AccessRequest, AccessRequestQuery, AccessRequestStatus, AccessRequestStore, Role, RoleAssignment, RolePermission, RoleStore } from './types.js';
export { ROLE_GROUP_PREFIX, isRoleGroup, roleGroup, withoutRoleGroups } from './role-groups.js';
export type { GroupSource, NewScimUser, ScimGroup, ScimStore, ScimToken, ScimUser } from './scim-types.js';
