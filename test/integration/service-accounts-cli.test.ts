import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { hashSecret, parseToken } from '../../src/tokens/format.js';
import { offlineCliEnv, runCli, withStore as withStoreAt } from '../support/cli.js';

// `service-accounts` and `trust-rules` as an operator runs them: child processes on a temporary
// SQLite file, configured by environment variables only (the IdP and MLflow are never contacted).
describe('service-account and trust-rule CLI', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-sa-cli-'));
  const databaseUrl = `sqlite:${join(dir, 'gateway.db')}`;
  const env = offlineCliEnv(databaseUrl, { OIDC_ADMIN_GROUPS: 'mlflow-admins' });
  const cli = (...args: string[]) => runCli(args, env);
  const withStore = <T>(fn: (store: Store) => Promise<T>): Promise<T> => withStoreAt(databaseUrl, fn);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates an account, mints its token (printed once, stored as a hash), lists, disables and deletes it; every change audited as cli:<user>', async () => {
    const created = await cli('service-accounts', 'create', 'nightly-train', '--description', 'nightly training', '--group', 'team-a');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe('created service account nightly-train\n');

    const minted = await cli('service-accounts', 'token', 'nightly-train', '--name', 'cluster', '--expires-in-days', '30', '--scope', 'experiment:12');
    expect(minted.code, minted.stderr).toBe(0);
    const token = minted.stdout.trim();
    const parts = parseToken(token)!;
    expect(parts).toBeDefined();
    expect(minted.stderr).toMatch(/expires .*shown only this once/);
    expect(minted.stderr).not.toContain(parts.secret);
    const stored = await withStore((s) => s.tokens.get(parts.id));
    expect(stored?.secretHash.equals(hashSecret(parts.secret))).toBe(true);
    expect(stored?.scope).toEqual([{ type: 'experiment', id: '12' }]);

    const list = await cli('service-accounts', 'list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'nightly-train', description: 'nightly training', groups: ['team-a'], disabled: false })]);
    expect((await cli('service-accounts', 'update', 'nightly-train', '--disable')).stdout).toBe('updated service account nightly-train (disabled)\n');
    expect((await withStore((s) => s.users.getByUsername('nightly-train')))?.disabled).toBe(true);

    const bad = await cli('service-accounts', 'create', 'Nightly Train');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/lower-case letters/);

    expect((await cli('service-accounts', 'delete', 'nightly-train')).code).toBe(0);
    expect(await withStore((s) => s.tokens.get(parts.id))).toBeUndefined();
    const audit = await withStore((s) => s.audit.list({ limit: 50 }));
    expect(audit.filter((e) => e.actor?.startsWith('cli:')).map((e) => e.action).reverse())
      .toEqual(['service-account.create', 'token.create', 'service-account.disable', 'service-account.delete']);
    expect(JSON.stringify(audit)).not.toContain(parts.secret);
  });

  it('adds, lists and deletes trust rules; maps an OAuth client; refuses a rule that pins no workload', async () => {
    expect((await cli('service-accounts', 'create', 'gh-models')).code).toBe(0);
    const added = await cli('trust-rules', 'add', '--name', 'gh-models-main', '--preset', 'github-actions', '--audience', 'https://mlflow.example.com',
      '--service-account', 'gh-models', '--claim', 'repository=acme/models', '--claim-glob', 'ref=refs/heads/*', '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      name: 'gh-models-main', issuer: 'https://token.actions.githubusercontent.com', audience: 'https://mlflow.example.com', service_account: 'gh-models',
      conditions: [{ claim: 'repository', matcher: 'exact', value: 'acme/models' }, { claim: 'ref', matcher: 'glob', value: 'refs/heads/*' }],
    });
    const loose = await cli('trust-rules', 'add', '--name', 'loose', '--preset', 'github-actions', '--audience', 'x', '--service-account', 'gh-models', '--claim', 'ref=refs/heads/main');
    expect(loose.code).toBe(1);
    expect(loose.stderr).toMatch(/must pin repository/);
    const table = await cli('trust-rules', 'list');
    expect(table.stdout).toMatch(/gh-models-main\s+https:\/\/token\.actions\.githubusercontent\.com/);

    expect((await cli('service-accounts', 'map-client', 'gh-models', 'etl-job')).stdout).toBe('client-credentials tokens of etl-job now act as gh-models\n');
    expect((await withStore((s) => s.federation.clientMapping('etl-job')))?.serviceAccountId).toBe((await withStore((s) => s.users.getByUsername('gh-models')))?.id);
    expect((await cli('trust-rules', 'delete', 'gh-models-main')).code).toBe(0);
    expect(await withStore((s) => s.federation.rules())).toEqual([]);
  });
});
