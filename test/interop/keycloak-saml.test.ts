import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../support/chromium.js';
import { available } from './support/availability.js';
import { startGatewayFor, type ExternalIdpGateway } from './support/external-gateway.js';
import { GATEWAY_CLIENT, keycloakMissing, startKeycloak, type Keycloak } from './support/keycloak.js';
import { freePort } from '../../src/devtools/mlflow.js';

// Interop with a real Keycloak 26 as a SAML 2.0 IdP (the realm's `mlflow-gateway-saml` client):
// SP-initiated sign-in through Keycloak's own login page in Chromium, NameID as the username and
// groups from its group-membership attribute, a proxied MLflow call, and single logout both ways.
describe.runIf(available('Keycloak', keycloakMissing()))('interop: Keycloak as SAML IdP', () => {
  let kc: Keycloak;
  let gw: ExternalIdpGateway;

  beforeAll(async () => {
    const port = await freePort();
    kc = await startKeycloak({ GATEWAY_SAML_SLO_URL: `http://127.0.0.1:${port}/_gateway/saml/kc/slo` });
    console.info(`[interop] Keycloak ready in ${kc.startMs} ms at ${kc.issuer}`);
    gw = await startGatewayFor({
      OIDC_ISSUER: kc.issuer, OIDC_CLIENT_ID: GATEWAY_CLIENT.id, OIDC_CLIENT_SECRET: GATEWAY_CLIENT.secret, OIDC_PRESET: 'keycloak',
      GATEWAY_PROVIDERS: 'kc',
      GATEWAY_PROVIDER_KC_KIND: 'saml',
      GATEWAY_PROVIDER_KC_DISPLAY_NAME: 'Keycloak (SAML)',
      GATEWAY_PROVIDER_KC_SAML_METADATA: `${kc.issuer}/protocol/saml/descriptor`,
      GATEWAY_PROVIDER_KC_SAML_IDP_ENTITY_ID: kc.issuer,
      GATEWAY_PROVIDER_KC_CLIENT_ID: 'mlflow-gateway-saml',
      GATEWAY_PROVIDER_KC_ADMIN_GROUPS: 'mlflow-admins',
    }, port);
  }, 300_000);
  afterAll(async () => {
    await gw?.stop();
    await kc?.stop();
  });

  it.runIf(existsSync(CHROMIUM))('signs alice in through Keycloak\'s login page (SAML), groups from its attributes, MLflow reachable, single logout', async () => {
    const browser: Browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${gw.gatewayUrl}/_gateway/login`);
      await page.click('a[data-provider="kc"]');
      await page.waitForURL((u) => u.href.startsWith(`${kc.issuer}/protocol/saml`), { timeout: 30_000 });
      await page.fill('#username', 'alice');
      await page.fill('#password', 'alice-pass');
      await page.click('#kc-login');
      await page.waitForURL((u) => u.href.startsWith(`${gw.gatewayUrl}/`) && !u.pathname.startsWith('/_gateway/saml/'), { timeout: 30_000 });
      const me = await page.evaluate(async () => {
        const res = await fetch('/_gateway/api/v1/whoami');
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      });
      expect(me).toMatchObject({ status: 200, body: { username: 'alice', email: 'alice@example.test', groups: ['team-a'], is_admin: false } });
      const mlflow = await page.evaluate(async () => (await fetch('/api/2.0/mlflow/experiments/search?max_results=1')).status);
      expect(mlflow).toBe(200);
      // SP-initiated single logout: the gateway's session ends, Keycloak is sent a LogoutRequest and answers.
      await page.goto(`${gw.gatewayUrl}/_gateway/logout`);
      await page.click('button[type="submit"]');
      await page.waitForURL((u) => u.href.startsWith(`${gw.gatewayUrl}/_gateway/signed-out`), { timeout: 30_000 });
      const after = await page.evaluate(async () => (await fetch('/_gateway/api/v1/whoami')).status);
      expect(after).toBe(401);
      // The Keycloak session ended too: signing in again shows its login page.
      await page.goto(`${gw.gatewayUrl}/_gateway/login?provider=kc`);
      await page.waitForURL((u) => u.href.startsWith(`${kc.issuer}/`), { timeout: 30_000 });
      expect(await page.locator('#username').count()).toBe(1);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
