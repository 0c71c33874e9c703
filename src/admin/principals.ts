// Users are named by username on the admin surface but stored by user id (a username can be
// reused by another IdP subject; the id cannot). Groups are free strings: the gateway only knows
// a group from the tokens of its members, and a grant may be prepared before anyone signs in.
import { GatewayError } from '../errors/index.js';
import type { Store, User } from '../store/index.js';
import type { PrincipalRef } from './input.js';

/** A principal resolved to what the store keys grants by. */
export interface StoredPrincipal {
  readonly type: 'user' | 'group';
  /** User id for users, group name for groups. */
  readonly key: string;
  /** How people name it: the username, or the group. */
  readonly name: string;
  readonly user?: User;
}

export async function userByUsername(store: Store, username: string): Promise<User> {
  const user = await store.users.getByUsername(username);
  if (!user) throw new GatewayError('GW_NOT_FOUND', `No user named ${JSON.stringify(username)}: users are known to the gateway after their first sign-in or API call`);
  return user;
}

export async function storedPrincipal(store: Store, ref: PrincipalRef): Promise<StoredPrincipal> {
  if (ref.type === 'group') return { type: 'group', key: ref.name, name: ref.name };
  const user = await userByUsername(store, ref.name);
  return { type: 'user', key: user.id, name: user.username, user };
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
