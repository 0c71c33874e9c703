import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineCliEnv, runCli } from '../support/cli.js';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { within } from '../support/replica.js';
import { startStack, type Stack } from '../support/stack.js';

// The CLI writes the store directly, from another process, while a gateway serves from its caches.
// Its grant changes must reach the gateway within 1 s all the same: on SQLite the gateway notices
// the file changed (data_version), on PostgreSQL the CLI announces them over LISTEN/NOTIFY.

const variants = [
  { name: 'SQLite file', postgres: false },
  { name: 'PostgreSQL', postgres: true },
] as const;

describe.each(variants)('grants changed with the CLI reach a running gateway ($name)', ({ postgres }) => {
  const runnable = !postgres || postgresAvailable();
  let pg: PostgresServer | undefined;
  let stack: Stack;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let databaseUrl: string;

  beforeAll(async () => {
    if (!runnable) return;
    pg = postgres ? await startPostgres() : undefined;
    databaseUrl = pg ? await pg.createDatabase() : `sqlite:${join(mkdtempSync(join(tmpdir(), 'gw-cli-inv-')), 'gw.db')}`;
    // Long TTLs: only an invalidation can make the change visible in time.
    stack = await startStack({ env: { GATEWAY_DATABASE_URL: databaseUrl, GATEWAY_CACHE_TTL: '1h', GATEWAY_GRANT_CACHE_TTL: '1h' } });
    [alice, bob] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'bob')]);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await pg?.stop();
  });

  it.runIf(runnable)('a grant set and deleted with the CLI is enforced within 1 s', async () => {
    const created = await alice.post('experiments/create', { name: unique('cli-inv') });
    expect(created.status).toBe(200);
    const id = created.json.experiment_id as string;
    expect((await bob.get('experiments/get', { experiment_id: id })).status).toBe(403);
    expect((await bob.get('experiments/get', { experiment_id: id })).status).toBe(403); // cached
    const env = offlineCliEnv(databaseUrl);
    const target = ['--user', 'bob', '--resource-type', 'experiment', '--resource-id', id];
    const set = await runCli(['grants', 'set', ...target, '--level', 'READ'], env);
    expect(set.code, set.stderr).toBe(0);
    expect(await within(1000, async () => (await bob.get('experiments/get', { experiment_id: id })).status === 200)).toBeLessThanOrEqual(1000);
    const del = await runCli(['grants', 'delete', ...target], env);
    expect(del.code, del.stderr).toBe(0);
    expect(await within(1000, async () => (await bob.get('experiments/get', { experiment_id: id })).status === 403)).toBeLessThanOrEqual(1000);
  });
});
