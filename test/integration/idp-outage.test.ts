import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoIdp, type DemoIdp } from '../../src/devtools/idp/index.js';
import { registry } from '../../src/metrics/index.js';
import { HttpBrowser } from '../support/http-browser.js';
import { callerFor, unique } from '../support/mlflow-api.js';
import { signIn } from '../support/sign-in.js';
import { CLIENT_ID, CLIENT_SECRET, startStack, type Stack } from '../support/stack.js';

// The IdP goes away mid-test (its server is stopped) and comes back on the same address:
//  - while it is down, existing browser sessions (even with a refresh due), personal tokens and
//    JWTs whose signing keys were fetched before keep working, also past the JWKS cache age;
//  - a new sign-in gets the gateway's HTML error page with GW_IDP_UNAVAILABLE;
//  - liveness stays 200, readiness stays 200 but says `degraded` and names the idp check;
//  - once it is back, sign-in works again without restarting the gateway.

async function idpErrors(kind: string): Promise<number> {
  const metric = await registry.getSingleMetric('gateway_idp_fetch_errors_total')!.get();
  return metric.values.find((v) => v.labels.kind === kind)?.value ?? 0;
}

describe('IdP outage', () => {
  let stack: Stack;
  let revived: DemoIdp | undefined;
  beforeAll(async () => {
    // IdP access tokens live 5 s: every session request is due a refresh (60 s margin).
    // JWKS cache age at its minimum (10 s), so the test also crosses it while the IdP is down.
    stack = await startStack({ idp: { accessTokenTtlSeconds: 5 }, env: { OIDC_JWKS_CACHE_MAX_AGE: '10s' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await revived?.stop();
  });

  it('keeps existing credentials working, refuses new sign-ins clearly, and recovers without a restart', { timeout: 180_000 }, async () => {
    const base = stack.gatewayUrl;
    const alice = await callerFor(stack, 'alice');
    const exp = await alice.post('experiments/create', { name: unique('idp-outage') });
    expect(exp.status).toBe(200);
    const expPath = `/api/2.0/mlflow/experiments/get?experiment_id=${exp.json.experiment_id}`;
    const minted = await alice.raw('POST', '/_gateway/api/v1/tokens', { body: JSON.stringify({ name: unique('pat'), expires_in_days: 1 }), headers: { 'content-type': 'application/json' } });
    const pat = String(minted.json.token);
    const { browser } = await signIn(stack, 'alice');
    const viaSession = () => browser.get(`${base}${expPath}`, { accept: 'application/json' });
    const viaPat = () => fetch(`${base}${expPath}`, { headers: { authorization: `Bearer ${pat}` } });
    const viaJwt = (token: string) => fetch(`${base}${expPath}`, { headers: { authorization: `Bearer ${token}` } });
    // Lives 5 s; with the default 30 s clock-skew tolerance it is still acceptable after the 11 s below.
    const jwt = (await stack.idp.getTokens('alice')).access_token;
    expect((await viaSession()).status).toBe(200);
    expect((await viaPat()).status).toBe(200);
    expect((await alice.get('experiments/get', { experiment_id: String(exp.json.experiment_id) })).status).toBe(200);

    const refreshErrorsBefore = await idpErrors('token_refresh');
    const discoveryErrorsBefore = await idpErrors('discovery');
    const issuerPort = Number(new URL(stack.idp.issuer).port);
    await stack.idp.stop();
    const downAt = Date.now();

    // Existing credentials keep working.
    const session = await viaSession();
    expect(session.status, await session.text()).toBe(200);
    expect((await viaPat()).status).toBe(200);
    // The session's refresh was due and failed: counted, the session kept (no sign-out).
    expect(await idpErrors('token_refresh')).toBeGreaterThan(refreshErrorsBefore);
    expect(stack.logs.some((l) => l.includes('"event":"session.refresh_failed"'))).toBe(true);

    // A new sign-in: the gateway's own HTML error page, not a redirect to a dead IdP (once the
    // reachability probe's few seconds of caching are over).
    const fresh = new HttpBrowser();
    const loginStatus = async () => (await fresh.get(`${base}/_gateway/login`, { accept: 'text/html' })).status;
    for (let i = 0; i < 40 && (await loginStatus()) === 302; i++) await new Promise((r) => setTimeout(r, 250));
    const login = await fresh.get(`${base}/_gateway/login`, { accept: 'text/html' });
    expect(login.status).toBe(503);
    expect(login.headers.get('content-type')).toMatch(/text\/html/);
    const page = await login.text();
    expect(page).toContain('GW_IDP_UNAVAILABLE');
    expect(page).toMatch(/identity provider/i);
    // …also when a browser without a session opens MLflow and is sent to sign in.
    const opened = await fresh.follow(`${base}/`, { headers: { accept: 'text/html' } });
    expect(opened.response.status).toBe(503);
    expect(await opened.response.text()).toContain('GW_IDP_UNAVAILABLE');
    expect(await idpErrors('discovery')).toBeGreaterThan(discoveryErrorsBefore);

    // Liveness is unaffected; readiness reports the IdP without taking the replica out.
    expect((await fetch(`${base}/_gateway/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/_gateway/readyz`);
    expect(ready.status).toBe(200);
    const readiness = (await ready.json()) as { status: string; checks: { name: string; ok: boolean }[] };
    expect(readiness.status).toBe('degraded');
    expect(readiness.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['idp']);

    // Past the JWKS cache age the keys cannot be refreshed; the last published keys still verify.
    await new Promise((r) => setTimeout(r, Math.max(0, 11_000 - (Date.now() - downAt))));
    expect((await viaSession()).status).toBe(200);
    expect((await viaPat()).status).toBe(200);
    const jwksErrorsBefore = await idpErrors('jwks');
    const stillValid = await viaJwt(jwt);
    expect(stillValid.status, await stillValid.text()).toBe(200);
    expect(await idpErrors('jwks')).toBeGreaterThan(jwksErrorsBefore);
    // A forged token is still refused while the keys are stale.
    const [h, p] = jwt.split('.');
    expect((await viaJwt(`${h}.${p}.${'A'.repeat(342)}`)).status).toBe(401);

    // The IdP comes back on the same address (new process state, new signing key).
    revived = await startDemoIdp({
      port: issuerPort, audience: 'mlflow-gateway', accessTokenTtlSeconds: 5,
      clients: [{
        clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
        redirectUris: [`${base}/_gateway/callback`], postLogoutRedirectUris: [`${base}/_gateway/signed-out`],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      }],
    });
    expect(revived.issuer).toBe(stack.idp.issuer);
    // Within the probe's few seconds, sign-in is offered again; no restart of the gateway.
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await new HttpBrowser().get(`${base}/_gateway/login`, { accept: 'text/html' })).status;
      if (status === 302) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(302);
    const again = await signIn({ ...stack, idp: revived }, 'bob');
    expect(again.result.response.status).toBeLessThan(500);
    const whoami = await again.browser.get(`${base}/_gateway/api/v1/whoami`, { accept: 'application/json' });
    expect(whoami.status).toBe(200);
    expect(((await whoami.json()) as { username: string }).username).toBe('bob');
    // JWTs signed with the new key are accepted (unknown kid → JWKS refetched).
    const newJwt = (await revived.getTokens('alice')).access_token;
    expect((await viaJwt(newJwt)).status).toBe(200);
    expect((await viaSession()).status).toBe(200);
    const readyAgain = (await (await fetch(`${base}/_gateway/readyz`)).json()) as { status: string };
    expect(readyAgain.status).toBe('ready');
  });
});
