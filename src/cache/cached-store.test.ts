import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStoreContract } from '../store/contract.js';
import { openStore, type Store } from '../store/index.js';
import { createLocalBus, type InvalidationBus } from './bus.js';
import { withCaches } from './cached-store.js';
import { withInvalidation } from './publishing-store.js';
import { createRemoteBus } from './remote-link.js';
import { watchSqliteWrites } from './sqlite-watch.js';
import { createCacheStats, type CacheStats } from './stats.js';

const ttls = { recordsMs: 60_000, grantsMs: 60_000 };
const quiet = { info: () => undefined, warn: () => undefined };
const identity = { subjectKey: 'https://idp#alice', username: 'alice', email: null, displayName: null, groups: ['team-a'], isAdmin: false };

function cachedOver(inner: Store, bus: InvalidationBus, stats: CacheStats = createCacheStats()): Store {
  return withCaches(withInvalidation(inner, bus), bus, ttls, stats);
}

async function tokenOf(store: Store, userId: string, id = 'tok1') {
  await store.tokens.create({ id, userId, name: id, secretHash: Buffer.alloc(32, 1), createdAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000), readOnly: false, scope: null });
}

// The cached store must keep every promise the store makes: a read after a write sees the write.
runStoreContract('sqlite behind the caches', async () => {
  const bus = createLocalBus();
  return cachedOver(await openStore('sqlite::memory:'), bus);
});

describe('hot-path caches', () => {
  it('answer repeated reads from memory and see a revocation on this replica at once', async () => {
    const stats = createCacheStats();
    const store = cachedOver(await openStore('sqlite::memory:'), createLocalBus(), stats);
    const user = await store.users.upsertOnLogin(identity, new Date());
    await tokenOf(store, user.id);
    expect((await store.tokens.get('tok1'))?.revokedAt).toBeNull();
    expect((await store.tokens.get('tok1'))?.revokedAt).toBeNull();
    expect(stats.snapshot().token).toEqual({ hit: 1, miss: 1, bypass: 0 });
    await store.tokens.revoke('tok1', new Date());
    expect((await store.tokens.get('tok1'))?.revokedAt).toBeInstanceOf(Date);
    await store.close();
  });

  it('drop what another replica changed when its event arrives, never waiting for the TTL', async () => {
    const inner = await openStore('sqlite::memory:');
    // Two replicas over one database, linked by a bus they share (what Redis/PostgreSQL carry).
    const shared = createLocalBus();
    const a = cachedOver(inner, shared);
    const b = cachedOver(inner, shared);
    const user = await a.users.upsertOnLogin(identity, new Date());
    await tokenOf(a, user.id);
    await a.grants.set({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', resourceId: '1', level: 'READ' });
    expect((await b.users.get(user.id))?.disabled).toBe(false);
    expect((await b.tokens.get('tok1'))?.revokedAt).toBeNull();
    expect((await b.grants.forResource('experiment', '1', user.id, ['team-a'])).map((g) => g.level)).toEqual(['READ']);
    expect(await b.grants.patterns('experiment')).toEqual([]);

    await a.users.setDisabled(user.id, true);
    await a.tokens.revoke('tok1', new Date());
    await a.grants.set({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', resourceId: '1', level: 'NO_PERMISSIONS' });
    await a.grants.addPattern({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', matcher: 'glob', pattern: '*', level: 'EDIT' });

    expect((await b.users.get(user.id))?.disabled).toBe(true);
    expect((await b.tokens.get('tok1'))?.revokedAt).toBeInstanceOf(Date);
    expect((await b.grants.forResource('experiment', '1', user.id, ['team-a'])).map((g) => g.level)).toEqual(['NO_PERMISSIONS']);
    expect((await b.grants.patterns('experiment')).map((r) => r.level)).toEqual(['EDIT']);
    await inner.close();
  });

  it('stand aside while the bus is down: every read goes to the store, and nothing is kept', async () => {
    const inner = await openStore('sqlite::memory:');
    const bus = createRemoteBus('redis', quiet);
    bus.linkUp();
    const stats = createCacheStats();
    const store = cachedOver(inner, bus, stats);
    const user = await store.users.upsertOnLogin(identity, new Date());
    await tokenOf(store, user.id);
    await store.tokens.get('tok1'); // cached
    bus.linkDown('test');
    // A revocation this replica was never told about (its event was lost with the link).
    await inner.tokens.revoke('tok1', new Date());
    expect((await store.tokens.get('tok1'))?.revokedAt).toBeInstanceOf(Date);
    expect(stats.snapshot().token?.bypass).toBe(1);
    bus.linkUp(); // back: flushed again, then cached afresh
    expect((await store.tokens.get('tok1'))?.revokedAt).toBeInstanceOf(Date);
    await inner.close();
  });

  it('do not keep an answer read before an invalidation that arrived while it was in flight', async () => {
    const inner = await openStore('sqlite::memory:');
    const bus = createLocalBus();
    const user = await inner.users.upsertOnLogin(identity, new Date());
    await tokenOf(inner, user.id);
    // A store whose read is overtaken by another replica's revocation and its event.
    const slow: Store = {
      ...inner,
      tokens: {
        ...inner.tokens,
        async get(id) {
          const before = await inner.tokens.get(id);
          await inner.tokens.revoke(id, new Date());
          await bus.publish({ kind: 'token', id });
          return before;
        },
      },
    };
    const store = withCaches(slow, bus, ttls, createCacheStats());
    expect((await store.tokens.get('tok1'))?.revokedAt).toBeNull(); // the old answer, once
    // The next read is not served from memory: it reaches the store and sees the revocation.
    expect((await store.tokens.get('tok1'))?.revokedAt).toBeInstanceOf(Date);
    await inner.close();
  });

  it('serve a session from memory only while its last-use mark is fresh (idle expiry is judged on the store\'s mark)', async () => {
    const inner = await openStore('sqlite::memory:');
    const stats = createCacheStats();
    const store = cachedOver(inner, createLocalBus(), stats);
    const user = await store.users.upsertOnLogin(identity, new Date());
    const old = new Date(Date.now() - 5 * 60_000);
    await store.sessions.create({ id: 's1', secretHash: Buffer.alloc(32), userId: user.id, expiresAt: new Date(Date.now() + 3_600_000), tokensSealed: null, idpExpiresAt: null, ip: null, userAgent: null }, old);
    await store.sessions.get('s1');
    await store.sessions.get('s1');
    expect(stats.snapshot().session).toEqual({ hit: 0, miss: 2, bypass: 0 });
    await store.sessions.touch('s1', new Date());
    await store.sessions.get('s1');
    expect(stats.snapshot().session?.hit).toBe(1);
    await store.sessions.delete('s1');
    expect(await store.sessions.get('s1')).toBeUndefined();
    await inner.close();
  });

  it('do not keep "no trust rule for this issuer" (issuers come from unverified tokens: a spray must not fill memory)', async () => {
    const stats = createCacheStats();
    const store = cachedOver(await openStore('sqlite::memory:'), createLocalBus(), stats);
    await store.federation.rules({ issuer: 'https://made-up.example' });
    await store.federation.rules({ issuer: 'https://made-up.example' });
    expect(stats.snapshot().trust_rules).toEqual({ hit: 0, miss: 2, bypass: 0 });
    await store.close();
  });

  it('with SQLite, notice a write by another process (the CLI) through data_version within a second', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gw-cache-')), 'gw.db');
    const gateway = await openStore(`sqlite:${file}`);
    const bus = createLocalBus();
    const stop = watchSqliteWrites(gateway.dataVersion!, bus.core, 50);
    const store = cachedOver(gateway, bus);
    const user = await store.users.upsertOnLogin(identity, new Date());
    await tokenOf(store, user.id);
    expect((await store.tokens.get('tok1'))?.revokedAt).toBeNull();
    const cli = await openStore(`sqlite:${file}`);
    await cli.tokens.revoke('tok1', new Date());
    await cli.close();
    const until = Date.now() + 1000;
    while ((await store.tokens.get('tok1'))?.revokedAt === null && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect((await store.tokens.get('tok1'))?.revokedAt).toBeInstanceOf(Date);
    stop();
    await gateway.close();
  });
});
