export { openStore } from './open.js';
export type { AuditEvent, AuditStore, GrantStore, LoginIdentity, NewSession, Session, SessionStore, Store, User, UserStore } from './types.js';
