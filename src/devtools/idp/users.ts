import { createHash, timingSafeEqual } from 'node:crypto';

/** A user account of the demo identity provider. */
export interface DemoUser {
  username: string;
  password: string;
  email: string;
  /** Sent as `email_verified`; default true. */
  emailVerified?: boolean;
  /**
   * Entra ID's "groups overage": the groups are left out of tokens and announced as a distributed
   * claim (`_claim_names.groups` → `_claim_sources`), for tests of the Graph look-up.
   */
  groupsOverage?: boolean;
  name: string;
  groups: string[];
}

/**
 * The built-in demo accounts. The passwords are intentionally trivial: the demo IdP only ever
 * listens on 127.0.0.1 and keeps everything in memory.
 */
export const DEMO_USERS: DemoUser[] = [
  { username: 'admin', password: 'admin-pass', email: 'admin@example.com', name: 'Ada Admin', groups: ['mlflow-admins'] },
  { username: 'alice', password: 'alice-pass', email: 'alice@example.com', name: 'Alice Example', groups: ['team-a'] },
  { username: 'bob', password: 'bob-pass', email: 'bob@example.com', name: 'Bob Example', groups: [] },
  { username: 'carol', password: 'carol-pass', email: 'carol@example.com', name: 'Carol Example', groups: ['team-a', 'team-b'] },
];

/** Where the user's groups are placed in tokens and claims. */
export type GroupsClaim = 'groups' | 'realm_access.roles';

/** The stable subject identifier of a demo user. */
export function subjectFor(username: string): string {
  return `user-${username}`;
}

/** Lookup over the configured demo users; only their groups change (via `setGroups`, a test hook). */
export class UserDirectory {
  readonly #byUsername = new Map<string, DemoUser>();
  readonly #bySubject = new Map<string, DemoUser>();

  readonly groupsClaim: GroupsClaim;

  constructor(users: readonly DemoUser[], groupsClaim: GroupsClaim) {
    this.groupsClaim = groupsClaim;
    for (const user of users) {
      if (!user.username) throw new Error('demo IdP: every user needs a username');
      if (this.#byUsername.has(user.username)) {
        throw new Error(`demo IdP: duplicate username '${user.username}'`);
      }
      const copy: DemoUser = { ...user, groups: [...user.groups] };
      this.#byUsername.set(user.username, copy);
      this.#bySubject.set(subjectFor(user.username), copy);
    }
  }

  byUsername(username: string): DemoUser | undefined {
    return this.#byUsername.get(username);
  }

  bySubject(sub: string): DemoUser | undefined {
    return this.#bySubject.get(sub);
  }

  /**
   * Replaces a user's groups, as an IdP administrator would: tokens issued from now on (sign-ins
   * and refreshes) carry the new groups, tokens already issued keep the old ones.
   */
  setGroups(username: string, groups: readonly string[]): void {
    const user = this.#byUsername.get(username);
    if (!user) throw new Error(`demo IdP: unknown user '${username}'`);
    user.groups = [...groups];
  }

  /** Returns the user when the credentials are valid (constant-time password comparison). */
  authenticate(username: string, password: string): DemoUser | undefined {
    const user = this.#byUsername.get(username);
    if (!user) return undefined;
    return timingSafeEqualStrings(user.password, password) ? user : undefined;
  }

  /** The top-level claim name carrying groups (`groups` or `realm_access`). */
  get groupsClaimName(): 'groups' | 'realm_access' {
    return this.groupsClaim === 'groups' ? 'groups' : 'realm_access';
  }

  /** The groups claim of a user, shaped per the configured location. */
  groupsClaims(user: DemoUser): Record<string, unknown> {
    if (user.groupsOverage) return { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.windows.net/demo/users/x/getMemberObjects' } } };
    return this.groupsClaim === 'groups'
      ? { groups: [...user.groups] }
      : { realm_access: { roles: [...user.groups] } };
  }

  /** Every identity claim of a user (the provider filters them by granted scope). */
  claims(user: DemoUser): { sub: string } & Record<string, unknown> {
    return {
      sub: subjectFor(user.username),
      preferred_username: user.username,
      name: user.name,
      email: user.email,
      email_verified: user.emailVerified ?? true,
      ...this.groupsClaims(user),
    };
  }
}

function timingSafeEqualStrings(expected: string, actual: string): boolean {
  // Hash first so that the comparison is constant-time regardless of the input lengths.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(actual).digest();
  return timingSafeEqual(a, b);
}
