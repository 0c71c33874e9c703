import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { offlineCliEnv, runCli } from '../../test/support/cli.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../test/support/postgres.js';
import { runStoreContract } from './contract.js';
import { migrations } from './migrations.js';
import { openStore } from './open.js';

// The same contract as SQLite, on a real PostgreSQL (a throwaway server for this file, a fresh
// database per store), plus what only PostgreSQL has: the audit trigger in plpgsql and migrations
// that several replicas run at the same moment.

/** kysely's PostgresAdapter takes this session-level advisory lock around migrations. */
const KYSELY_MIGRATION_LOCK = '3853314791062309107';

let server: PostgresServer;

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL test servers', () => {
  it('are skipped visibly when the binaries are absent, and fail the run under CI instead', () => {
    const saved = { bindir: process.env.POSTGRES_BINDIR, ci: process.env.CI };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      process.env.POSTGRES_BINDIR = '/nonexistent';
      delete process.env.CI;
      expect(postgresAvailable()).toBe(false);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[skip\] PostgreSQL binaries not found/));
      process.env.CI = '1';
      expect(() => postgresAvailable()).toThrow(/must run under CI/);
    } finally {
      warn.mockRestore();
      for (const [key, value] of [['POSTGRES_BINDIR', saved.bindir], ['CI', saved.ci]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe.runIf(postgresAvailable())('postgres store', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  runStoreContract('postgres', async () => openStore(await server.createDatabase()));

  it('returns bigint columns as numbers and searches users case-insensitively', async () => {
    const store = await openStore(await server.createDatabase());
    const user = await store.users.upsertOnLogin({ subjectKey: 'https://idp#Carol', username: 'Carol', email: 'Carol@Example.com', displayName: null, groups: [], isAdmin: false }, new Date(1_700_000_000_123));
    expect(user.createdAt.getTime()).toBe(1_700_000_000_123);
    expect((await store.users.get(user.id))?.createdAt.getTime()).toBe(1_700_000_000_123);
    expect((await store.users.list({ search: 'carol' })).map((u) => u.username)).toEqual(['Carol']);
    expect((await store.users.list({ search: 'EXAMPLE' })).map((u) => u.username)).toEqual(['Carol']);
    await store.audit.append({ time: new Date(5), actor: null, action: 'Grant.Set', resource: null, decision: 'info', reason: null, requestId: null, clientIp: null });
    const [event] = await store.audit.list({ limit: 1, action: 'grant.*' });
    expect(typeof event?.seq).toBe('number');
    await store.close();
  });

  it('records the same new identity signing in on two replicas at once as one user', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await openStore(url), await openStore(url)];
    for (const name of ['dave', 'erin', 'frank', 'grace', 'heidi']) {
      const identity = { subjectKey: `https://idp#${name}`, username: name, email: null, displayName: null, groups: [], isAdmin: false };
      const users = await Promise.all([...Array(12).keys()].map((i) => (i % 2 ? a : b).users.upsertOnLogin(identity, new Date())));
      expect(new Set(users.map((u) => u.id)).size).toBe(1);
    }
    await Promise.all([a.close(), b.close()]);
  });

  it('is append-only in the database itself: an UPDATE of an audit event is refused by the trigger', async () => {
    const url = await server.createDatabase();
    const store = await openStore(url);
    await store.audit.append({ time: new Date(), actor: 'alice', action: 'login', resource: null, decision: 'allow', reason: null, requestId: null, clientIp: null });
    await store.close();
    await expect(query(url, "update audit_events set actor = 'mallory'")).rejects.toThrow(/append-only/);
    expect(await query(url, 'select actor from audit_events')).toEqual([{ actor: 'alice' }]);
    // Retention still deletes whole old events.
    expect(await query(url, 'delete from audit_events returning seq')).toHaveLength(1);
  });

  describe('migrations from several replicas at once', () => {
    const expected = Object.keys(migrations('postgres')).sort();
    const applied = async (url: string) => (await query<{ name: string }>(url, 'select name from gateway_migrations order by name')).map((r) => r.name);

    it('four stores migrating one empty database concurrently all succeed, and each migration runs once', async () => {
      const url = await server.createDatabase();
      const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(url, { poolSize: 2 })));
      expect(await applied(url)).toEqual(expected);
      // All four work on the one schema.
      await Promise.all(stores.map((s, i) => s.grants.set({ principalType: 'user', principal: `u${i}`, resourceType: 'experiment', resourceId: '1', level: 'READ' })));
      expect(await stores[0]!.grants.listForResource('experiment', '1')).toHaveLength(4);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('four gateway processes (the CLI) starting on one empty database concurrently all succeed', async () => {
      const url = await server.createDatabase();
      const runs = await Promise.all([1, 2, 3, 4].map((i) => runCli(['service-accounts', 'create', `bot-${i}`], offlineCliEnv(url))));
      for (const r of runs) expect(r, r.stderr).toMatchObject({ code: 0 });
      expect(await applied(url)).toEqual(expected);
      expect((await query<{ username: string }>(url, "select username from users where kind = 'service' order by username")).map((r) => r.username))
        .toEqual(['bot-1', 'bot-2', 'bot-3', 'bot-4']);
    });

    it('waits for the advisory lock another replica holds while it migrates', async () => {
      const url = await server.createDatabase();
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      await holder.query(`select pg_advisory_lock(${KYSELY_MIGRATION_LOCK})`);
      let opened = false;
      const opening = openStore(url).then((s) => {
        opened = true;
        return s;
      });
      // The lock is what it waits on (its own session shows up as waiting for an advisory lock).
      await expect.poll(async () => (await query<{ n: number }>(url, "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted"))[0]?.n, { timeout: 20_000 }).toBe(1);
      expect(opened).toBe(false);
      await holder.query(`select pg_advisory_unlock(${KYSELY_MIGRATION_LOCK})`);
      await holder.end();
      const store = await opening;
      expect(await applied(url)).toEqual(expected);
      await store.close();
    });
  });
});
