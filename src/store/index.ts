export { openStore } from './open.js';
export type { ApiToken, AuditEvent, AuditStore, GrantStore, NewApiToken, TokenStore, LoginIdentity, NewSession, Session, SessionStore, Store, User, UserStore } from './types.js';
