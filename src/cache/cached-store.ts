// Read-through caches in front of the store for what every request asks: the token, the session,
// the user, the grants on one resource and the pattern rules of a resource type. Entries are
// dropped by invalidation events (src/cache/events.ts) the moment the store changes — on this
// replica before the write returns, on the others through the bus — and expire after a TTL only as
// a backstop. While the bus is disconnected the caches stand aside and every read goes to the store.
import { RESOURCE_TYPES, type ResourceType } from '../policy/types.js';
import type { ApiToken, ClientMapping, ProtectedKeyRule, Session, Store, TeamDefault, TrustRule, User } from '../store/index.js';
import type { Grant, PatternRule } from '../policy/types.js';
import type { InvalidationBus } from './bus.js';
import type { Invalidation } from './events.js';
import type { CacheStats } from './stats.js';
import { TtlCache } from './ttl-cache.js';

export interface CacheTtls {
  /** Tokens, sessions, users, pattern rules, trust rules (ms). 0 turns the caches off. */
  readonly recordsMs: number;
  /** Grant lookups per (subject, resource) (ms). */
  readonly grantsMs: number;
}

/** A cached session is served only while its last-use mark is this fresh; older ones are re-read (see below). */
const SESSION_FRESH_MS = 60_000;

type PerType<V> = Record<ResourceType, TtlCache<V>>;
/** Keys of grant lookups come from requests (resource ids): the per-type bound keeps their memory small. */
const perType = <V>(ttlMs: number, max = 10_000): PerType<V> => Object.fromEntries(RESOURCE_TYPES.map((t) => [t, new TtlCache<V>(ttlMs, max)])) as PerType<V>;

export function withCaches(store: Store, bus: InvalidationBus, ttls: CacheTtls, stats: CacheStats): Store {
  const tokens = new TtlCache<ApiToken>(ttls.recordsMs);
  const sessions = new TtlCache<Session>(ttls.recordsMs);
  const users = new TtlCache<User>(ttls.recordsMs);
  const patterns = perType<PatternRule[]>(ttls.recordsMs);
  const grants = perType<Grant[]>(ttls.grantsMs);
  const grantIds = perType<Grant[]>(ttls.grantsMs);
  const trustRules = new TtlCache<TrustRule[]>(ttls.recordsMs);
  const clients = new TtlCache<ClientMapping>(ttls.recordsMs);
  const protectedKeys = new TtlCache<ProtectedKeyRule[]>(ttls.recordsMs);
  const teamDefaults = new TtlCache<TeamDefault[]>(ttls.recordsMs);
  const clearAll = () => {
    for (const c of [tokens, sessions, users, trustRules, clients, protectedKeys, teamDefaults]) c.clear();
    for (const t of RESOURCE_TYPES) for (const c of [patterns[t], grants[t], grantIds[t]]) c.clear();
  };

  // Bumped by every invalidation: a read that started before one must not store its (maybe stale)
  // answer after it. Invalidations are rare, so one counter for everything is precise enough.
  let generation = 0;
  bus.subscribe((e: Invalidation) => {
    generation++;
    switch (e.kind) {
      case 'token': tokens.delete(e.id); break;
      case 'user-tokens': tokens.deleteWhere((t) => t.userId === e.userId); break;
      case 'session': sessions.delete(e.id); break;
      case 'user-sessions': sessions.deleteWhere((s) => s.userId === e.userId); break;
      case 'user': users.delete(e.id); break;
      case 'grants': grants[e.resourceType].clear(); grantIds[e.resourceType].clear(); break;
      case 'patterns': patterns[e.resourceType].clear(); break;
      case 'federation': trustRules.clear(); clients.clear(); break;
      case 'rules': protectedKeys.clear(); teamDefaults.clear(); break;
      case 'all': clearAll(); break;
      case 'mlflow-object': break; // the resolver's (src/server/app.ts)
    }
  });

  async function cached<V>(
    name: string, cache: TtlCache<NonNullable<V>>, key: string, load: () => Promise<V>,
    usable: (v: NonNullable<V>) => boolean = () => true, keep: (v: NonNullable<V>) => boolean = () => true,
  ): Promise<V> {
    if (!bus.connected || cache.ttlMs <= 0) {
      stats.record(name, 'bypass');
      return load();
    }
    const hit = cache.get(key);
    if (hit !== undefined && usable(hit)) {
      stats.record(name, 'hit');
      return hit;
    }
    stats.record(name, 'miss');
    const before = generation;
    const value = await load();
    // Only what exists is kept: a token created on another replica must not meet a cached "no such token".
    if (value !== undefined && value !== null && keep(value) && before === generation && bus.connected) cache.set(key, value);
    return value;
  }

  const groupsKey = (groups: readonly string[]) => groups.join('\u0001');

  return {
    ...store,
    users: {
      ...store.users,
      get: (id) => cached('user', users, id, () => store.users.get(id)),
    },
    tokens: {
      ...store.tokens,
      get: (id) => cached('token', tokens, id, () => store.tokens.get(id)),
      async touch(id, now, ip) {
        await store.tokens.touch(id, now, ip);
        tokens.update(id, (t) => ({ ...t, lastUsedAt: now, lastUsedIp: ip }));
      },
    },
    sessions: {
      ...store.sessions,
      // Idle expiry is judged on last_seen_at, which other replicas move without an event (it is only
      // a mark). A cached copy is therefore used only while its mark is fresh; older than that, the
      // store's current mark is read (at most once a minute per session, when it is touched anyway),
      // so no replica ever ends a session as idle on a stale copy.
      get: (id) => cached('session', sessions, id, () => store.sessions.get(id), (s) => Date.now() - s.lastSeenAt.getTime() < SESSION_FRESH_MS),
      async touch(id, now) {
        await store.sessions.touch(id, now);
        sessions.update(id, (s) => (s.lastSeenAt.getTime() < now.getTime() - SESSION_FRESH_MS ? { ...s, lastSeenAt: now } : s));
      },
      // Other replicas need no event: they refuse an expired or idle session on its own dates.
      async deleteExpired(now, idleSeconds) {
        const n = await store.sessions.deleteExpired(now, idleSeconds);
        sessions.deleteWhere((s) => s.expiresAt <= now || s.lastSeenAt.getTime() <= now.getTime() - idleSeconds * 1000);
        return n;
      },
    },
    grants: {
      ...store.grants,
      forResource: (type, id, userId, groups) =>
        cached('grants', grants[type], `${id}\0${userId}\0${groupsKey(groups)}`, () => store.grants.forResource(type, id, userId, groups)),
      resourceIdsWithGrants: (type, userId, groups) =>
        cached('granted_ids', grantIds[type], `${userId}\0${groupsKey(groups)}`, () => store.grants.resourceIdsWithGrants(type, userId, groups)),
      patterns: (type) => cached('patterns', patterns[type], '', () => store.grants.patterns(type)),
    },
    rules: {
      ...store.rules,
      protectedKeys: () => cached('protected_keys', protectedKeys, '', () => store.rules.protectedKeys()),
      teamDefaults: () => cached('team_defaults', teamDefaults, '', () => store.rules.teamDefaults()),
    },
    federation: {
      ...store.federation,
      // The issuer comes from an unverified token: "no rule for it" is not kept, or a spray of made-up
      // issuers would fill the cache.
      rules: (opts) => cached('trust_rules', trustRules, JSON.stringify(opts ?? {}), () => store.federation.rules(opts), undefined, (r) => r.length > 0),
      clientMapping: (clientId) => cached('client_mapping', clients, clientId, () => store.federation.clientMapping(clientId)),
    },
  };
}
