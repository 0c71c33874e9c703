import type { InvalidationBus } from '../cache/bus.js';
import type { LoginIdentity, Store, User } from '../store/index.js';

/**
 * Users seen through bearer tokens are recorded like signed-in users, but a token is presented on
 * every call: the record is written only when the identity changed or every `ttlMs`, not per request.
 * A change to the user (disable, groups, admin) reaches it through the invalidation bus.
 */
export interface UserDirectory {
  fromIdentity(identity: LoginIdentity): Promise<User>;
  /** Forget a cached user (after disable/enable, so the change takes effect at once). */
  invalidate(userId: string): void;
}

export function createUserDirectory(store: Store, bus?: InvalidationBus, ttlMs = 30_000, max = 10_000): UserDirectory {
  const cache = new Map<string, { user: User; key: string; at: number }>();
  // An identity object is reused for as long as its token is (src/pipeline/steps/authenticate.ts):
  // its comparison key is built once.
  const keys = new WeakMap<LoginIdentity, string>();
  const invalidate = (userId: string) => {
    for (const [k, v] of cache) if (v.user.id === userId) cache.delete(k);
  };
  bus?.subscribe((e) => {
    if (e.kind === 'user') invalidate(e.id);
    else if (e.kind === 'all') cache.clear();
  });
  return {
    async fromIdentity(identity) {
      let key = keys.get(identity);
      if (key === undefined) {
        key = JSON.stringify([identity.username, identity.email, identity.displayName, identity.groups, identity.isAdmin]);
        keys.set(identity, key);
      }
      const hit = cache.get(identity.subjectKey);
      if (hit && hit.key === key && Date.now() - hit.at < ttlMs) {
        if (!bus || bus.connected) return hit.user;
        // Bus down: a disable on another replica may have gone unheard. The write can still wait
        // for its TTL, but the record (disabled flag) is read fresh.
        const current = await store.users.get(hit.user.id);
        if (current) return current;
      }
      const user = await store.users.upsertOnLogin(identity, new Date());
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(identity.subjectKey, { user, key, at: Date.now() });
      return user;
    },
    invalidate,
  };
}
