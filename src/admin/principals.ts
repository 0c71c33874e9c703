// Users are named by username on the admin surface but stored by user id (a username can be
// reused by another IdP subject; the id cannot). Groups are free strings: the gateway only knows
// a group from the tokens of its members, and a grant may be prepared before anyone signs in.
import { GatewayError } from '../errors/index.js';
import { isRoleGroup, type Store, type User } from '../store/index.js';
import { recordChange, type ChangeContext } from './changes.js';
import type { PrincipalRef } from './input.js';

/** A principal resolved to what the store keys grants by. */
export interface StoredPrincipal {
  readonly type: 'user' | 'group';
  /** User id for users, group name for groups. */
  readonly key: string;
  /** How people name it: the username, or the group. */
  readonly name: string;
  readonly user?: User;
  /** Recorded just now, ahead of the person's first sign-in (told to administrators only). */
  readonly recordedAhead?: boolean;
}

export async function userByUsername(store: Store, username: string): Promise<User> {
  const user = await store.users.getByUsername(username);
  if (!user) throw new GatewayError('GW_NOT_FOUND', `No user named ${JSON.stringify(username)}: users are known to the gateway after their first sign-in or API call`);
  return user;
}

/**
 * Grants and rules of an MLflow role's reserved group (`mlflow-role:<id>`) are written only with
 * the role's permission records (src/auth-api/roles.ts), so roles/permissions/list always tells
 * the whole of what a role gives; the admin API and CLI refuse to write them directly.
 */
export function assertNotRoleGroup(ref: PrincipalRef): void {
  if (ref.type === 'group' && isRoleGroup(ref.name)) {
    throw new GatewayError('GW_BAD_REQUEST', `The group ${JSON.stringify(ref.name)} is an MLflow role's: change its permissions through MLflow's roles API (roles/permissions/add, update, remove), see docs/migration.md, "Roles"`);
  }
}

export async function storedPrincipal(store: Store, ref: PrincipalRef): Promise<StoredPrincipal> {
  if (ref.type === 'group') return { type: 'group', key: ref.name, name: ref.name };
  const user = await userByUsername(store, ref.name);
  return { type: 'user', key: user.id, name: user.username, user };
}

/** What sharing takes for an email (an address with one @ and a dot after it, no spaces). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The principal of a grant being created: a known person by username, else by an email known to be
 * theirs (verified at sign-in), else a person recorded now, ahead of their first sign-in, under that
 * username or email; the first sign-in with that username claim or verified email joins it. The
 * answer has the same shape either way, so sharing tells a sharer nothing about who has signed
 * in; only `recordedAhead` (shown to administrators) says an account was recorded now.
 */
export async function grantee(store: Store, changes: ChangeContext, ref: PrincipalRef): Promise<StoredPrincipal> {
  if (ref.type === 'group') return { type: 'group', key: ref.name, name: ref.name };
  const known = await store.users.getByUsername(ref.name);
  if (known) return { type: 'user', key: known.id, name: known.username, user: known };
  const byEmail = EMAIL.test(ref.name);
  if (byEmail) {
    const owners = await store.users.findByVerifiedEmail(ref.name, 2);
    if (owners.length > 1) throw new GatewayError('GW_CONFLICT', `More than one person has the email ${ref.name}; share with them by username`);
    if (owners[0]) return { type: 'user', key: owners[0].id, name: owners[0].username, user: owners[0] };
  } else if (/\s/.test(ref.name)) {
    throw new GatewayError('GW_BAD_REQUEST', `${JSON.stringify(ref.name)} is neither a username nor an email: usernames have no spaces`);
  }
  const { user, created } = byEmail ? await store.users.createAheadByEmail(ref.name, new Date()) : await store.users.createAhead(ref.name, new Date());
  if (created) {
    await recordChange(changes, {
      action: 'user.create', resource: `user:${user.username}`,
      reason: `recorded ahead of first sign-in to share with them (by ${byEmail ? 'email; joined by the first sign-in with it verified' : 'username; joined by the first sign-in with that username'})`,
    });
  }
  return { type: 'user', key: user.id, name: user.username, user, recordedAhead: created };
}

/**
 * Turns stored user ids back into usernames for output, one lookup per distinct id. A grant whose
 * user record is gone is shown by its id rather than hidden: it still exists and can be deleted.
 */
export function usernameLookup(store: Store): (principalType: 'user' | 'group', key: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  return (principalType, key) => {
    if (principalType === 'group') return Promise.resolve(key);
    let name = cache.get(key);
    if (name === undefined) {
      name = store.users.get(key).then((u) => u?.username ?? key);
      cache.set(key, name);
    }
    return name;
  };
}
