import { existsSync, mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devtools/mlflow.js';
import { CHROMIUM, launchChromium } from '../support/chromium.js';
import { available } from './support/availability.js';
import { DEX_CLIENT, DEX_MOCK_USER, dexMissing, startDex, type Dex } from './support/dex.js';
import { adminCall, startGatewayFor, type ExternalIdpGateway } from './support/external-gateway.js';
import { mlflowAttempts } from './support/mlflow-client.js';

// Interop with a real Dex (scripts/dex.sh; the Go module proxy serves v2.13.0) configured by
// test/interop/dex/config.yaml: its connector chooser and password form in Chromium, its ID tokens with
// the stock MLflow Python client, and the groups its mockCallback connector asserts.
describe.runIf(available('Dex', dexMissing()))('interop: Dex', () => {
  let dex: Dex;
  let gw: ExternalIdpGateway;
  const idToken: Record<string, string> = {};
  const gatewayEnv = (issuer: string): Record<string, string> => ({
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: DEX_CLIENT.id,
    OIDC_CLIENT_SECRET: DEX_CLIENT.secret,
    OIDC_PRESET: 'dex', // scopes openid profile email groups offline_access; groups from `groups`
  });

  beforeAll(async () => {
    // Dex registers the gateway's exact callback URL, so the gateway's port is chosen first.
    const port = await freePort();
    dex = await startDex(`http://127.0.0.1:${port}`);
    console.info(`[interop] Dex ready in ${dex.startMs} ms at ${dex.issuer}`);
    gw = await startGatewayFor(gatewayEnv(dex.issuer), port);
    for (const who of ['alice', 'bob', 'mock'] as const) idToken[who] = (await dex.tokens(who)).id_token;
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
    await dex?.stop();
  });

  it.runIf(existsSync(CHROMIUM))('signs alice in through Dex\'s connector page and password form in Chromium and shows the MLflow UI', async () => {
    mkdirSync('test-artifacts', { recursive: true });
    const browser: Browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${gw.gatewayUrl}/`);
      await page.waitForURL((u) => u.href.startsWith(`${dex.issuer}/auth`), { timeout: 30_000 });
      await page.screenshot({ path: 'test-artifacts/dex-connectors-page.png' });
      await page.getByText('Log in with Email').click();
      await page.fill('#login', 'alice@example.test');
      await page.fill('#password', 'alice-pass');
      await page.screenshot({ path: 'test-artifacts/dex-login-page.png' });
      await page.click('#submit-login');
      await page.waitForURL((u) => u.href.startsWith(`${gw.gatewayUrl}/`), { timeout: 30_000 });
      await page.getByText('Experiments', { exact: false }).first().waitFor({ timeout: 60_000 });
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.screenshot({ path: 'test-artifacts/dex-mlflow-ui.png' });
      // Dex sends no preferred_username, so the gateway names her by her email (OIDC_USERNAME_CLAIM's fallback).
      const me = await page.evaluate(async () => {
        const res = await fetch(`/_gateway/api/v1/users/${encodeURIComponent('alice@example.test')}`);
        return { status: res.status, body: (await res.json()) as { user?: { email?: string; groups?: string[] } } };
      });
      expect(me.status, JSON.stringify(me.body)).toBe(200);
      expect(me.body.user).toMatchObject({ email: 'alice@example.test', groups: [] });
    } finally {
      await browser.close();
    }
  });

  it('gives the stock MLflow client with a Dex ID token what was granted and 403 elsewhere', async () => {
    const forged = `${idToken.alice!.slice(0, -8)}AAAAAAAA`;
    const [mine, bobs, forgery] = await mlflowAttempts(gw.gatewayUrl, [
      { token: idToken.alice!, create: `dex-alice-${Date.now()}` },
      { token: idToken.bob!, created: 0 },
      { token: forged, created: 0 },
    ]);
    expect(mine).toMatchObject({ ok: true });
    expect(bobs).toMatchObject({ ok: false, errorCode: 'PERMISSION_DENIED', status: 403 });
    expect(forgery).toMatchObject({ ok: false, status: 401 });
  });

  it('maps Dex groups: a grant to the mock connector\'s group lets its user in, others are refused; an admin group makes administrators', async () => {
    // bob creates an experiment (he MANAGEs it) and shares it with the group "authors".
    const [created] = await mlflowAttempts(gw.gatewayUrl, [{ token: idToken.bob!, create: `dex-authors-${Date.now()}` }]);
    expect(created).toMatchObject({ ok: true });
    const grant = await adminCall(gw, idToken.bob!, 'PUT', 'grants', {
      resource_type: 'experiment', resource_id: created!.experimentId, principal_type: 'group', principal: DEX_MOCK_USER.group, level: 'EDIT',
    });
    expect(grant.status, JSON.stringify(grant.json)).toBe(200);

    const [asAuthor, asAlice] = await mlflowAttempts(gw.gatewayUrl, [
      { token: idToken.mock!, experiment: created!.experimentId! },
      { token: idToken.alice!, experiment: created!.experimentId! },
    ]);
    expect(asAuthor).toMatchObject({ ok: true, experimentId: created!.experimentId });
    expect(asAlice).toMatchObject({ ok: false, errorCode: 'PERMISSION_DENIED', status: 403 });

    const author = await adminCall(gw, idToken.mock!, 'GET', `users/${encodeURIComponent(DEX_MOCK_USER.email)}`);
    expect(author.status, JSON.stringify(author.json)).toBe(200);
    expect(author.json.user).toMatchObject({ groups: [DEX_MOCK_USER.group], is_admin: false });

    // The same Dex group named as the admin group (a second gateway; bearer tokens need no callback).
    const adminGw = await startGatewayFor({ ...gatewayEnv(dex.issuer), OIDC_ADMIN_GROUPS: DEX_MOCK_USER.group });
    try {
      const users = await adminCall(adminGw, idToken.mock!, 'GET', 'users');
      expect(users.status, JSON.stringify(users.json)).toBe(200);
      const me = await adminCall(adminGw, idToken.mock!, 'GET', `users/${encodeURIComponent(DEX_MOCK_USER.email)}`);
      expect(me.json.user).toMatchObject({ is_admin: true });
      expect((await adminCall(adminGw, idToken.alice!, 'GET', 'users')).status).toBe(403);
    } finally {
      await adminGw.stop();
    }
  });
});
