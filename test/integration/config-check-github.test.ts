import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoIdp, type DemoIdp } from '../../src/devtools/idp/index.js';
import { freePort } from '../../src/devtools/mlflow.js';
import { runCli } from '../support/cli.js';
import { startGitHubFixture, type GitHubFixture } from '../support/github-fixture.js';
import { CLIENT_ID, CLIENT_SECRET, TEST_SECRET } from '../support/stack.js';

// `config check` with a GitHub provider: GitHub has no discovery document, so the check reaches its
// REST API instead (here the local GitHub fixture server, as a GitHub Enterprise Server would be).
describe('config check with a GitHub provider', () => {
  let idp: DemoIdp;
  let gh: GitHubFixture;
  let env: Record<string, string>;
  beforeAll(async () => {
    idp = await startDemoIdp({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: ['http://127.0.0.1:8080/_gateway/callback'] }] });
    gh = await startGitHubFixture();
    env = {
      MLFLOW_UPSTREAM_URL: inject('mlflowUrl'), GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080', GATEWAY_SECRET: TEST_SECRET,
      OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET,
      GATEWAY_PROVIDERS: 'github', GATEWAY_PROVIDER_GITHUB_PRESET: 'github', GATEWAY_PROVIDER_GITHUB_ISSUER: gh.url,
      GATEWAY_PROVIDER_GITHUB_API_URL: `${gh.url}/api/v3`, GATEWAY_PROVIDER_GITHUB_CLIENT_ID: gh.clientId, GATEWAY_PROVIDER_GITHUB_CLIENT_SECRET: gh.clientSecret,
    };
  });
  afterAll(async () => {
    await idp?.stop();
    await gh?.stop();
  });

  it('reaches the GitHub API instead of a discovery document, and never prints the client secret', async () => {
    const run = await runCli(['config', 'check'], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`✓ identity provider github: GitHub OAuth at ${gh.url}, API ${gh.url}/api/v3 reachable`);
    expect(run.stdout).toContain(`✓ identity provider oidc: ${idp.issuer}`);
    expect(`${run.stdout}${run.stderr}`).not.toContain(gh.clientSecret);
  });

  it('exits 1 naming the GitHub API when it is unreachable', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/api/v3`;
    const run = await runCli(['config', 'check'], { ...env, GATEWAY_PROVIDER_GITHUB_API_URL: dead });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`✗ identity provider github: GitHub API ${dead}`);
  });
});
