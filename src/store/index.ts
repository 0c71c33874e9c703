export { openStore } from './open.js';
export type { AccessRequest, AccessRequestQuery, AccessRequestStatus, AccessRequestStore, ApiToken, ClaimCondition, ClientMapping, FederationStore, NewServiceAccount, ServiceAccount, ServiceAccountStore, TrustRule, AuditEvent, AuditQuery, AuditRecord, AuditStore, GrantStore, IdpSessionMatch, OneTimeIdStore, NewApiToken, TokenStore, LoginIdentity, NewSession, Session, SessionStore, Store, User, UserStore } from './types.js';
export type { GroupSource, NewScimUser, ScimGroup, ScimStore, ScimToken, ScimUser } from './scim-types.js';
