import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrations } from './migrations.js';
import { openStore } from './open.js';

// Upgrading a gateway that ran before several providers existed: people keep their accounts
// (same subject key → same user, same id), their emails count as unverified until they sign in
// again, and service accounts get no identity.
describe('migration 0005_user_identities', () => {
  it('records every existing person\'s identity; existing subject keys keep finding their accounts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gw-identities-')), 'gw.db');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    const migrator = new Migrator({
      db, provider: { getMigrations: async () => migrations('sqlite') },
      migrationTableName: 'gateway_migrations', migrationLockTableName: 'gateway_migrations_lock',
    });
    expect((await migrator.migrateTo('0004_audit_queries')).error).toBeUndefined();
    const raw = new Database(file);
    const insert = raw.prepare('insert into users (id, subject_key, username, email, groups_json, is_admin, disabled, kind, created_at) values (?, ?, ?, ?, ?, 0, 0, ?, 1000)');
    insert.run('u-alice', 'https://idp.example.com#alice-sub', 'alice', 'alice@example.com', '["team-a"]', 'person');
    insert.run('u-robot', 'service-account:x', 'robot', null, '[]', 'service');
    raw.close();
    await db.destroy();

    const store = await openStore(`sqlite:${file}`);
    const check = new Database(file);
    expect(check.prepare('select subject_key, user_id, provider, email, email_verified from user_identities').all()).toEqual([
      { subject_key: 'https://idp.example.com#alice-sub', user_id: 'u-alice', provider: null, email: 'alice@example.com', email_verified: 0 },
    ]);
    check.close();
    expect((await store.users.get('u-alice'))?.provider).toBeNull();
    const user = await store.users.upsertOnLogin({
      subjectKey: 'https://idp.example.com#alice-sub', username: 'alice', email: 'alice@example.com', displayName: null, groups: ['team-b'], isAdmin: false, provider: 'oidc', emailVerified: true,
    }, new Date());
    expect(user).toMatchObject({ id: 'u-alice', groups: ['team-b'], provider: 'oidc' });
    await store.close();
  });
});
