import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devtools/mlflow.js';
import { available, scriptOutput } from '../interop/support/availability.js';
import { keycloakMissing } from '../interop/support/keycloak.js';
import { startProcess, waitForUrl, type ServerProcess } from '../interop/support/process.js';

// deploy/compose/keycloak/realm-mlflow.json imported into a real Keycloak 26 (the distribution
// scripts/keycloak.sh prepares for the interop suites), with its ${…} placeholders filled from the
// environment as in the compose stack. The demo users sign in by the authorization code flow + PKCE, as
// the gateway makes them, and their tokens must carry what the gateway relies on: `groups` and the
// gateway's client id as audience.
const ROOT = resolve(import.meta.dirname, '../..');
const REALM_FILE = resolve(ROOT, 'deploy/compose/keycloak/realm-mlflow.json');
const CLIENT_SECRET = `compose-realm-${randomBytes(12).toString('hex')}`;
const USER_PASSWORD = `demo-${randomBytes(8).toString('hex')}`;
// The redirect URI the realm registers for the compose gateway; only the code in it is used here.
const REDIRECT = 'http://localhost:8080/_gateway/callback';

interface Claims {
  iss: string;
  aud: string | string[];
  groups?: string[];
  preferred_username?: string;
}
const claims = (jwt: string): Claims => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Claims;

describe.runIf(available('Keycloak (compose realm)', keycloakMissing()))('deploy/compose realm in a real Keycloak', () => {
  let proc: ServerProcess | undefined;
  let work: string;
  let issuer: string;

  beforeAll(async () => {
    const dist = scriptOutput('scripts/keycloak.sh', ['--check'])!;
    const javaHome = scriptOutput('scripts/keycloak.sh', ['--java-home'])!;
    // A linked copy of the prepared distribution with an import folder of its own, so that the interop
    // suite's realm (also named "mlflow") is never imported next to this one.
    work = mkdtempSync(join(tmpdir(), 'compose-realm-'));
    const home = join(work, 'keycloak');
    execFileSync('cp', ['-al', dist, home]);
    rmSync(join(home, 'data'), { recursive: true, force: true });
    mkdirSync(join(home, 'data/import'), { recursive: true });
    copyFileSync(REALM_FILE, join(home, 'data/import/realm-mlflow.json'));
    const port = await freePort();
    proc = startProcess(join(home, 'bin/kc.sh'), [
      'start', '--optimized', '--http-enabled=true', '--http-host=127.0.0.1', `--http-port=${port}`,
      '--hostname-strict=false', '--import-realm', '--log-level=warn',
    ], {
      env: {
        JAVA_HOME: javaHome, JAVA_OPTS_APPEND: '-XX:TieredStopAtLevel=1',
        OIDC_CLIENT_SECRET: CLIENT_SECRET, DEMO_USER_PASSWORD: USER_PASSWORD,
      },
    });
    issuer = `http://127.0.0.1:${port}/realms/mlflow`;
    await waitForUrl(proc, `${issuer}/.well-known/openid-configuration`, 240_000);
  }, 300_000);
  afterAll(async () => {
    await proc?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Keycloak's login form, filled in as a person would, then the code exchanged with the client secret. */
  async function signIn(username: string, password = USER_PASSWORD): Promise<{ id: Claims; access: Claims }> {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const auth = new URL(`${issuer}/protocol/openid-connect/auth`);
    for (const [k, v] of Object.entries({ client_id: 'mlflow-gateway', response_type: 'code', scope: 'openid profile email', redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 's', nonce: 'n' })) auth.searchParams.set(k, v);
    const page = await fetch(auth, { redirect: 'manual' });
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const action = /action="([^"]+)"/.exec(await page.text())?.[1]?.replaceAll('&amp;', '&');
    expect(action, 'login form').toBeDefined();
    const login = await fetch(action!, {
      method: 'POST', redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password, credentialId: '' }),
    });
    const location = login.headers.get('location') ?? '';
    if (!location.startsWith(REDIRECT)) throw new Error(`${username}: login answered ${login.status} without the redirect to the gateway`);
    const res = await fetch(`${issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code', code: new URL(location).searchParams.get('code')!, redirect_uri: REDIRECT,
        client_id: 'mlflow-gateway', client_secret: CLIENT_SECRET, code_verifier: verifier,
      }),
    });
    const tokens = (await res.json()) as { id_token: string; access_token: string };
    expect(res.status).toBe(200);
    return { id: claims(tokens.id_token), access: claims(tokens.access_token) };
  }

  it.each([
    ['alice', 'team-a'],
    ['bob', 'team-b'],
    ['admin', 'mlflow-admins'],
  ])('%s signs in and the tokens carry groups [%s] and the gateway as audience', async (user, group) => {
    const { id, access } = await signIn(user);
    expect(id.iss).toBe(issuer);
    expect(id.preferred_username).toBe(user);
    expect(id.groups).toEqual([group]);
    expect(id.aud).toBe('mlflow-gateway');
    expect(access.groups).toEqual([group]);
    expect([access.aud].flat()).toContain('mlflow-gateway');
  });

  it('refuses a wrong demo password and a wrong client secret (the placeholders were filled, not left literal)', async () => {
    await expect(signIn('alice', '${DEMO_USER_PASSWORD}')).rejects.toThrow(/without the redirect/);
    const res = await fetch(`${issuer}/protocol/openid-connect/token`, {
      method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'mlflow-gateway', client_secret: '${OIDC_CLIENT_SECRET}' }),
    });
    expect(res.status).toBe(401);
  });

  it('lets the CLI client start a device authorization, and redirect only to loopback', async () => {
    const device = await fetch(`${issuer}/protocol/openid-connect/auth/device`, { method: 'POST', body: new URLSearchParams({ client_id: 'mlflow-cli', scope: 'openid' }) });
    expect(device.status).toBe(200);
    expect(await device.json()).toHaveProperty('user_code');
    const authorize = (redirect: string) => fetch(`${issuer}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'mlflow-cli', response_type: 'code', scope: 'openid', redirect_uri: redirect })}`, { redirect: 'manual' });
    expect((await authorize('http://127.0.0.1:45678/callback')).status).toBe(200);
    expect((await authorize('http://evil.example/callback')).status).toBe(400);
  });
});
