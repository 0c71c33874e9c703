import { existsSync, mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../support/chromium.js';
import { available } from './support/availability.js';
import { adminCall, startGatewayFor, type ExternalIdpGateway } from './support/external-gateway.js';
import { GATEWAY_CLIENT, keycloakMissing, startKeycloak, type Keycloak, type KeycloakUser } from './support/keycloak.js';
import { mlflowAttempts } from './support/mlflow-client.js';
import { freePort } from '../../src/devtools/mlflow.js';
import { HttpBrowser } from '../support/http-browser.js';

// Interop with a real Keycloak 26 (Maven Central distribution, scripts/keycloak.sh) and the realm in
// test/interop/keycloak/realm.json: its login page in Chromium, its access tokens with the stock MLflow
// Python client, and its `groups` claim driving the gateway's group grants and admin group.
describe.runIf(available('Keycloak', keycloakMissing()))('interop: Keycloak', () => {
  let kc: Keycloak;
  let gw: ExternalIdpGateway;
  const token: Partial<Record<KeycloakUser, string>> = {};

  beforeAll(async () => {
    // The gateway's port is chosen first: Keycloak must know its back-channel logout URL at import.
    const port = await freePort();
    kc = await startKeycloak({ GATEWAY_BACKCHANNEL_LOGOUT_URL: `http://127.0.0.1:${port}/_gateway/backchannel-logout/oidc` });
    console.info(`[interop] Keycloak ready in ${kc.startMs} ms at ${kc.issuer}`);
    gw = await startGatewayFor({
      OIDC_ISSUER: kc.issuer,
      OIDC_CLIENT_ID: GATEWAY_CLIENT.id,
      OIDC_CLIENT_SECRET: GATEWAY_CLIENT.secret,
      OIDC_PRESET: 'keycloak', // groups + realm_access.roles + resource_access.mlflow-gateway.roles
    }, port);
    for (const u of ['alice', 'bob', 'root'] as const) token[u] = (await kc.passwordGrant(u)).access_token;
  }, 300_000);
  afterAll(async () => {
    await gw?.stop();
    await kc?.stop();
  });

  it.runIf(existsSync(CHROMIUM))('signs alice in through Keycloak\'s own login page in Chromium and shows the MLflow UI', async () => {
    mkdirSync('test-artifacts', { recursive: true });
    const browser: Browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${gw.gatewayUrl}/`);
      await page.waitForURL((u) => u.href.startsWith(`${kc.issuer}/protocol/openid-connect/auth`), { timeout: 30_000 });
      await page.fill('#username', 'alice');
      await page.fill('#password', 'alice-pass');
      await page.screenshot({ path: 'test-artifacts/keycloak-login-page.png' });
      await page.click('#kc-login');
      await page.waitForURL((u) => u.href.startsWith(`${gw.gatewayUrl}/`), { timeout: 30_000 });
      await page.getByText('Experiments', { exact: false }).first().waitFor({ timeout: 60_000 });
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.screenshot({ path: 'test-artifacts/keycloak-mlflow-ui.png' });
      // The browser session is the gateway's cookie; her account holds what Keycloak's ID token said.
      const me = await page.evaluate(async () => {
        const res = await fetch('/_gateway/api/v1/users/alice');
        return { status: res.status, body: (await res.json()) as { user?: { email?: string; groups?: string[] } } };
      });
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ email: 'alice@example.test', groups: ['team-a'] });
    } finally {
      await browser.close();
    }
  });

  it('gives the stock MLflow client with a Keycloak access token what was granted and 403 elsewhere', async () => {
    const forged = `${token.alice!.slice(0, -8)}AAAAAAAA`;
    const [mine, bobs, forgery, machine] = await mlflowAttempts(gw.gatewayUrl, [
      { token: token.alice!, create: `keycloak-alice-${Date.now()}` },
      // The creator owns the experiment; bob (another Keycloak user, no grant) is refused with MLflow's error.
      { token: token.bob!, created: 0 },
      // A token Keycloak did not sign is refused.
      { token: forged, created: 0 },
      // A client-credentials token of another Keycloak client (audience mlflow-gateway) is a machine,
      // not a person: with no service account mapped to that client it is refused outright.
      { token: await kc.clientCredentials(), created: 0 },
    ]);
    expect(mine).toMatchObject({ ok: true });
    expect(bobs).toMatchObject({ ok: false, errorCode: 'PERMISSION_DENIED', status: 403 });
    expect(forgery).toMatchObject({ ok: false, status: 401 });
    expect(machine).toMatchObject({ ok: false, status: 401 });

    // Mapped by an administrator, the same kind of token acts as that service account and as nothing else.
    const sa = `svc-kc-ci-${Date.now()}`;
    expect((await adminCall(gw, token.root!, 'POST', 'service-accounts', { name: sa })).status).toBe(201);
    const mapped = await adminCall(gw, token.root!, 'PUT', `service-accounts/${sa}/oauth-clients/mlflow-ci`);
    expect(mapped.status, JSON.stringify(mapped.json)).toBeLessThan(300);
    const machineToken = await kc.clientCredentials();
    const [own, alices] = await mlflowAttempts(gw.gatewayUrl, [
      { token: machineToken, create: `keycloak-ci-${Date.now()}` },
      { token: machineToken, experiment: mine!.experimentId! },
    ]);
    expect(own).toMatchObject({ ok: true });
    expect(alices).toMatchObject({ ok: false, errorCode: 'PERMISSION_DENIED', status: 403 });
    const who = await fetch(`${gw.gatewayUrl}/_gateway/api/v1/whoami`, { headers: { authorization: `Bearer ${machineToken}` } });
    expect(await who.json()).toMatchObject({ username: sa, kind: 'service', auth_method: 'client' });
  });

  it('maps Keycloak groups: team-a\'s grant lets alice in, bob is refused, mlflow-admins are administrators', async () => {
    // root is in Keycloak's mlflow-admins group, which the gateway treats as administrators.
    const root = await adminCall(gw, token.root!, 'GET', 'users/root');
    expect(root.status, JSON.stringify(root.json)).toBe(200);
    expect(root.json.user).toMatchObject({ groups: ['mlflow-admins'], is_admin: true });

    const exp = await fetch(`${gw.gatewayUrl}/api/2.0/mlflow/experiments/create`, {
      method: 'POST', headers: { authorization: `Bearer ${token.root!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `keycloak-team-a-${Date.now()}` }),
    });
    expect(exp.status).toBe(200);
    const { experiment_id } = (await exp.json()) as { experiment_id: string };
    const grant = await adminCall(gw, token.root!, 'PUT', 'grants', {
      resource_type: 'experiment', resource_id: experiment_id, principal_type: 'group', principal: 'team-a', level: 'EDIT',
    });
    expect(grant.status, JSON.stringify(grant.json)).toBe(200);

    const [asAlice, asBob] = await mlflowAttempts(gw.gatewayUrl, [
      { token: token.alice!, experiment: experiment_id },
      { token: token.bob!, experiment: experiment_id },
    ]);
    expect(asAlice).toMatchObject({ ok: true, experimentId: experiment_id });
    expect(asBob).toMatchObject({ ok: false, errorCode: 'PERMISSION_DENIED', status: 403 });

    // The groups the gateway recorded are the ones Keycloak put in the tokens.
    const alice = await adminCall(gw, token.root!, 'GET', 'users/alice');
    expect(alice.json.user).toMatchObject({ groups: ['team-a'], is_admin: false });
    expect(alice.json.groups).toEqual([expect.objectContaining({ name: 'team-a', grants: [expect.objectContaining({ resource_id: experiment_id, level: 'EDIT' })] })]);
    expect((await adminCall(gw, token.bob!, 'GET', 'users/alice')).status).toBe(403);
    // bob's realm role arrives in realm_access.roles of his access token; the keycloak preset adds it to his groups.
    const bob = await adminCall(gw, token.root!, 'GET', 'users/bob');
    expect([...bob.json.user.groups].sort()).toEqual(['reviewers', 'team-b']);
  });

  it.runIf(!process.env.KEYCLOAK_URL)('back-channel logout: signing out at Keycloak ends the gateway session of that Keycloak session at once', async () => {
    const signInAt = async () => {
      const browser = new HttpBrowser();
      const login = await browser.follow(`${gw.gatewayUrl}/`);
      expect(login.url.startsWith(`${kc.issuer}/protocol/openid-connect/auth`)).toBe(true);
      const done = await browser.submitForm(login.url, await login.response.text(), { username: 'alice', password: 'alice-pass' });
      expect(done.url.startsWith(gw.gatewayUrl)).toBe(true);
      return browser;
    };
    const whoami = (b: HttpBrowser) => b.get(`${gw.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' });
    const laptop = await signInAt();
    const desktop = await signInAt();
    expect((await whoami(laptop)).status).toBe(200);
    // The session carries Keycloak's sid, as the logout token will name it.
    const alice = await gw.server.gateway.store.users.getByUsername('alice');
    const sessions = await gw.server.gateway.store.sessions.listForUser(alice!.id);
    expect(sessions.every((s) => s.idpSid?.startsWith(`${kc.issuer}#`))).toBe(true);
    // Sign out at Keycloak itself (its logout confirmation page): Keycloak POSTs a logout token.
    const confirm = await laptop.follow(`${kc.issuer}/protocol/openid-connect/logout`);
    await laptop.submitForm(confirm.url, await confirm.response.text(), { confirmLogout: 'Logout' });
    await expect.poll(async () => (await whoami(laptop)).status, { timeout: 10_000 }).toBe(401);
    expect((await whoami(desktop)).status).toBe(200);
    const audit = await gw.server.gateway.store.audit.list({ limit: 5, action: 'logout.backchannel' });
    expect(audit[0]).toMatchObject({ actor: 'alice' });
  });
});
