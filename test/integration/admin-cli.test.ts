import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { offlineCliEnv, runCli, withStore as withStoreAt, type CliRun } from '../support/cli.js';

// `grants`, `patterns` and `explain` on a temporary SQLite file (test/support/cli.ts runs the CLI).
describe('admin CLI', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-cli-'));
  const databaseUrl = `sqlite:${join(dir, 'gateway.db')}`;
  const env = offlineCliEnv(databaseUrl);
  const cli = (...args: string[]): Promise<CliRun> => runCli(args, env);
  const withStore = <T>(fn: (store: Store) => Promise<T>): Promise<T> => withStoreAt(databaseUrl, fn);
  let aliceId = '';

  beforeAll(async () => {
    // Users exist once they have signed in; the CLI names them by username.
    await withStore(async (store) => {
      const identity = (username: string, groups: string[]) => ({ subjectKey: `https://idp.example#${username}`, username, email: `${username}@example.com`, displayName: null, groups, isAdmin: false });
      aliceId = (await store.users.upsertOnLogin(identity('alice', ['team-a']), new Date())).id;
      await store.users.upsertOnLogin(identity('bob', []), new Date());
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('grants set, list and delete, by username, as tables and as --json', async () => {
    const set = await cli('grants', 'set', '--user', 'alice', '--resource-type', 'experiment', '--resource-id', '7', '--level', 'EDIT');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('user alice now has EDIT on experiment 7 (new grant)\n');
    const group = await cli('grants', 'set', '--group', 'team-b', '--resource-type', 'experiment', '--resource-id', '7', '--level', 'READ', '--json');
    expect(JSON.parse(group.stdout)).toEqual({ grant: { principal_type: 'group', principal: 'team-b', resource_type: 'experiment', resource_id: '7', level: 'READ' }, previous_level: null });
    // What is in the store is keyed by user id, not username.
    expect(await withStore((s) => s.grants.listForPrincipal('user', aliceId))).toEqual([{ principalType: 'user', principal: aliceId, resourceType: 'experiment', resourceId: '7', level: 'EDIT' }]);

    const table = await cli('grants', 'list', '--resource-type', 'experiment', '--resource-id', '7');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^principal_type\s+principal\s+resource_type\s+resource_id\s+level$/);
    expect(table.stdout).toMatch(/group\s+team-b\s+experiment\s+7\s+READ/);
    expect(table.stdout).toMatch(/user\s+alice\s+experiment\s+7\s+EDIT/);
    const mine = await cli('grants', 'list', '--user', 'alice', '--json');
    expect(JSON.parse(mine.stdout)).toEqual([{ principal_type: 'user', principal: 'alice', user_id: aliceId, resource_type: 'experiment', resource_id: '7', level: 'EDIT' }]);

    const del = await cli('grants', 'delete', '--user', 'alice', '--resource-type', 'experiment', '--resource-id', '7');
    expect(del.code).toBe(0);
    expect(del.stdout).toBe('deleted: user alice had EDIT on experiment 7\n');
    const again = await cli('grants', 'delete', '--user', 'alice', '--resource-type', 'experiment', '--resource-id', '7');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('user alice has no grant on experiment 7');
    expect((await cli('grants', 'list', '--user', 'alice')).stdout).toBe('no grants\n');
  });

  it('refuses bad input with a precise message, a non-zero exit and no change', async () => {
    const cases: [string[], RegExp][] = [
      [['--user', 'alice', '--resource-type', 'experiment', '--resource-id', '8', '--level', 'ADMIN'], /Unknown level "ADMIN"; expected one of DENY, NO_PERMISSIONS, READ, USE, EDIT, MANAGE/],
      [['--user', 'alice', '--resource-type', 'job', '--resource-id', '8', '--level', 'READ'], /Unknown resource_type "job"/],
      [['--user', 'alice', '--group', 'team-a', '--resource-type', 'experiment', '--resource-id', '8', '--level', 'READ'], /exactly one of --user <username> or --group <group>/],
      [['--user', 'mallory', '--resource-type', 'experiment', '--resource-id', '8', '--level', 'READ'], /No user named "mallory"/],
    ];
    for (const [args, message] of cases) {
      const run = await cli('grants', 'set', ...args);
      expect(run.code, run.stdout).not.toBe(0);
      expect(run.stderr).toMatch(message);
    }
    expect(await withStore((s) => s.grants.listForResource('experiment', '8'))).toEqual([]);
  });

  it('patterns add, list and delete', async () => {
    const add = await cli('patterns', 'add', '--group', 'team-a', '--resource-type', 'experiment', '--pattern', 'team-a-*', '--level', 'READ', '--json');
    expect(add.code, add.stderr).toBe(0);
    const rule = JSON.parse(add.stdout) as { id: string };
    expect(rule).toMatchObject({ principal_type: 'group', principal: 'team-a', matcher: 'glob', pattern: 'team-a-*', level: 'READ' });
    const bad = await cli('patterns', 'add', '--group', 'team-a', '--resource-type', 'experiment', '--matcher', 'regex', '--pattern', 'team-(a', '--level', 'READ');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/regex pattern "team-\(a" cannot be used: invalid regular expression/);
    expect((await cli('patterns', 'list')).stdout).toMatch(new RegExp(`${rule.id}\\s+group\\s+team-a\\s+experiment\\s+glob\\s+team-a-\\*\\s+READ`));
    expect((await cli('patterns', 'delete', rule.id)).stdout).toBe(`deleted pattern rule ${rule.id}\n`);
    expect((await cli('patterns', 'list')).stdout).toBe('no pattern rules\n');
  });

  it('explain answers from the store with the same decision as the gateway', async () => {
    await cli('grants', 'set', '--group', 'team-a', '--resource-type', 'experiment', '--resource-id', '9', '--level', 'EDIT');
    const text = await cli('explain', '--user', 'alice', '--action', 'update', '--resource-type', 'experiment', '--resource-id', '9');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ALLOW: alice may update experiment 9\nlevel EDIT \(needs EDIT\), decided by group-grant: group grant: team-a has EDIT on experiment 9/);
    const json = await cli('explain', '--user', 'bob', '--action', 'read', '--resource-type', 'experiment', '--resource-id', '9', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ user: 'bob', decision: { allow: false, level: 'NO_PERMISSIONS', source: 'default' }, considered: { grants: [] } });
  });

  it('audits every change with the operator as actor and logs it to stderr, not stdout', async () => {
    const events = await withStore((s) => s.audit.list({ limit: 100 }));
    expect(events.length).toBeGreaterThanOrEqual(6);
    for (const e of events) expect(e.actor).toMatch(/^cli:/);
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['grant.set', 'grant.delete', 'pattern.add', 'pattern.delete']));
    expect(events).toContainEqual(expect.objectContaining({ action: 'grant.set', resource: 'experiment:7', reason: 'user alice → EDIT (new grant)', decision: 'allow' }));
    const run = await cli('grants', 'set', '--user', 'bob', '--resource-type', 'registered_model', '--resource-id', 'churn', '--level', 'USE', '--json');
    const line = run.stderr.split('\n').find((l) => l.includes('"event":"admin"'));
    expect(JSON.parse(line!)).toMatchObject({ action: 'grant.set', resource: 'registered_model:churn', principal: 'user bob', level: 'USE' });
    expect(() => JSON.parse(run.stdout)).not.toThrow();
  });
});
