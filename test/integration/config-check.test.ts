import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoIdp, type DemoIdp } from '../../src/devtools/idp/index.js';
import { freePort, pinnedMlflowVersion } from '../../src/devtools/mlflow.js';
import { runCli, type CliRun } from '../support/cli.js';
import { CLIENT_ID, CLIENT_SECRET, TEST_SECRET } from '../support/stack.js';

// `mlflow-oidc-gateway config check` run as an operator would: a child process configured by
// environment variables only, against the real demo IdP and the suite's real MLflow.
function configCheck(env: Record<string, string>): Promise<CliRun> {
  return runCli(['config', 'check'], env);
}

describe('config check', () => {
  let idp: DemoIdp;
  let valid: Record<string, string>;
  beforeAll(async () => {
    idp = await startDemoIdp({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: ['http://127.0.0.1:8080/_gateway/callback'] }] });
    valid = {
      MLFLOW_UPSTREAM_URL: inject('mlflowUrl'),
      GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080',
      GATEWAY_SECRET: TEST_SECRET,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
    };
  });
  afterAll(async () => idp?.stop());

  const expectNoSecrets = (run: CliRun, ...secrets: string[]) => {
    for (const s of secrets) expect(`${run.stdout}\n${run.stderr}`).not.toContain(s);
  };

  it('exits 0 when the settings are valid and the IdP and MLflow answer', async () => {
    const run = await configCheck(valid);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Configuration is valid');
    expect(run.stdout).toContain(`✓ identity provider: ${idp.issuer}`);
    expect(run.stdout).toContain(`✓ MLflow: ${valid.MLFLOW_UPSTREAM_URL}/health answered OK`);
    expect(run.stdout).toContain(`✓ MLflow version: ${pinnedMlflowVersion()} (supported range 2.9 … 3.17.x)`);
    expect(run.stdout).toContain('secret = "<set>"');
    expect(run.stdout).toContain('clientSecret = "<set>"');
    expectNoSecrets(run, TEST_SECRET, CLIENT_SECRET);
  });

  it('exits 1 naming the discovery URL and the network error when the IdP is unreachable', async () => {
    const deadIssuer = `http://127.0.0.1:${await freePort()}`;
    const run = await configCheck({ ...valid, OIDC_ISSUER: deadIssuer });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`✗ identity provider: discovery of ${deadIssuer}/.well-known/openid-configuration failed:`);
    expect(run.stdout).toMatch(/✗ identity provider: .*ECONNREFUSED/);
    expect(run.stdout).toContain('✓ MLflow');
    expectNoSecrets(run, TEST_SECRET, CLIENT_SECRET);
  });

  it('exits 1 naming MLflow\'s /health URL and the network error when MLflow is unreachable', async () => {
    const deadMlflow = `http://127.0.0.1:${await freePort()}`;
    const run = await configCheck({ ...valid, MLFLOW_UPSTREAM_URL: deadMlflow });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✓ identity provider');
    expect(run.stdout).toMatch(new RegExp(`✗ MLflow: ${deadMlflow}/health — .*ECONNREFUSED`));
    expectNoSecrets(run, TEST_SECRET, CLIENT_SECRET);
  });

  it('lists every configuration problem at once, exits 2, and never echoes a secret', async () => {
    const shortSecret = 'too-short-secret-4711';
    const run = await configCheck({
      ...valid,
      GATEWAY_PORT: 'eighty',
      GATEWAY_SECRET: shortSecret,
      GATEWAY_PUBLIC_URL: 'http://ml.example.com',
      GATEWAY_SESSION_MAX_AGE: 'forever',
      OIDC_CLIENT_ID: '',
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('the configuration has 5 problem(s)');
    expect(run.stderr).toContain('GATEWAY_PORT must be a whole number');
    expect(run.stderr).toContain('GATEWAY_SECRET must be at least 32 characters');
    expect(run.stderr).toContain('GATEWAY_PUBLIC_URL must use https');
    expect(run.stderr).toContain('GATEWAY_SESSION_MAX_AGE must be a duration');
    expect(run.stderr).toContain('OIDC_CLIENT_ID is required');
    expectNoSecrets(run, shortSecret, CLIENT_SECRET);
  });
});
