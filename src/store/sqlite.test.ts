import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runStoreContract } from './contract.js';
import { openStore } from './open.js';

runStoreContract('sqlite (in memory)', () => openStore('sqlite::memory:'));

describe('sqlite audit log', () => {
  it('is append-only in the database itself: an UPDATE of an event is refused', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gw-audit-')), 'gw.db');
    const store = await openStore(`sqlite:${file}`);
    await store.audit.append({ time: new Date(), actor: 'alice', action: 'login', resource: null, decision: 'allow', reason: null, requestId: null, clientIp: null });
    await store.close();
    const db = new Database(file);
    expect(() => db.prepare("update audit_events set actor = 'mallory'").run()).toThrow(/append-only/);
    db.close();
  });
});
