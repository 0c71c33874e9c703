import type { LoginIdentity, Store, User } from '../store/index.js';

/**
 * Users seen through bearer tokens are recorded like signed-in users, but a token is presented on
 * every call: the record is written only when the identity changed or every `ttlMs`, not per request.
 */
export interface UserDirectory {
  fromIdentity(identity: LoginIdentity): Promise<User>;
  /** Forget a cached user (after disable/enable, so the change takes effect at once). */
  invalidate(userId: string): void;
}

export function createUserDirectory(store: Store, ttlMs = 30_000, max = 10_000): UserDirectory {
  const cache = new Map<string, { user: User; key: string; at: number }>();
  return {
    async fromIdentity(identity) {
      const key = JSON.stringify([identity.username, identity.email, identity.displayName, identity.groups, identity.isAdmin]);
      const hit = cache.get(identity.subjectKey);
      if (hit && hit.key === key && Date.now() - hit.at < ttlMs) return hit.user;
      const user = await store.users.upsertOnLogin(identity, new Date());
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(identity.subjectKey, { user, key, at: Date.now() });
      return user;
    },
    invalidate(userId) {
      for (const [k, v] of cache) if (v.user.id === userId) cache.delete(k);
    },
  };
}
