import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { freePort } from '../../src/devtools/mlflow.js';
import { HttpBrowser } from '../support/http-browser.js';
import { within } from '../support/replica.js';
import { postSamlResponse, startSamlSignIn, startSamlStack, type SamlStack } from '../support/saml-stack.js';
import { listenWithCapturedLogs } from '../support/stack.js';
import type { GatewayServer } from '../../src/server/app.js';

// Two replicas behind one public URL, one store (a shared SQLite file): a sign-in started on one
// completes on the other, the same response cannot be used on both, and an IdP LogoutRequest that
// reaches one replica ends the session on the other.
describe('SAML across replicas', () => {
  let s: SamlStack;
  let replica: GatewayServer;
  let replicaUrl: string;
  beforeAll(async () => {
    const db = `sqlite:${join(mkdtempSync(join(tmpdir(), 'saml-replicas-')), 'gateway.db')}`;
    s = await startSamlStack({ env: { GATEWAY_DATABASE_URL: db } });
    const port = await freePort();
    replicaUrl = `http://127.0.0.1:${port}`;
    const c = s.stack.config;
    const result = loadConfig({
      MLFLOW_UPSTREAM_URL: c.upstreamUrl, GATEWAY_PUBLIC_URL: s.stack.gatewayUrl, GATEWAY_PORT: String(port), GATEWAY_SECRET: c.secret,
      GATEWAY_DATABASE_URL: db, OIDC_ISSUER: c.issuer, OIDC_CLIENT_ID: c.clientId, OIDC_CLIENT_SECRET: c.clientSecret ?? '',
      GATEWAY_PROVIDERS: 'corp', GATEWAY_PROVIDER_CORP_KIND: 'saml', GATEWAY_PROVIDER_CORP_SAML_METADATA: s.idp.metadataPath, LOG_LEVEL: 'debug',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    ({ server: replica } = await listenWithCapturedLogs(result.config));
  });
  afterAll(async () => {
    await replica?.close();
    await s?.stop();
  });

  const onReplica = (url: string) => url.replace(s.stack.gatewayUrl, replicaUrl);

  it('completes on the replica a sign-in started on the first gateway, and refuses the same response on the first one afterwards', async () => {
    const { browser, requestId, relayState } = await startSamlSignIn(s);
    const xml = s.idp.sign(s.idp.response({ inResponseTo: requestId, nameID: 'alice', sessionIndex: 'idx-rep' }), 'assertion');
    const atReplica = await browser.postForm(onReplica(s.acsUrl), { SAMLResponse: Buffer.from(xml).toString('base64'), RelayState: relayState ?? '/' });
    expect(atReplica.status).toBe(302);
    const cookie = atReplica.headers.getSetCookie().find((c) => c.startsWith('mlflow_gateway_session='))!.split(';')[0]!;
    // The session works on both (one store).
    for (const base of [s.stack.gatewayUrl, replicaUrl]) {
      const me = await fetch(`${base}/_gateway/api/v1/whoami`, { headers: { cookie, accept: 'application/json' } });
      expect(me.status).toBe(200);
    }
    const replay = await postSamlResponse(s, new HttpBrowser(), xml, relayState);
    expect(replay.status).toBe(400);
    // An IdP LogoutRequest that reaches the replica ends the session on the first gateway too.
    const slo = await fetch(`${replicaUrl}/_gateway/saml/corp/slo?${s.idp.logoutRequestQuery({ nameID: 'alice', sessionIndex: 'idx-rep' })}`, { redirect: 'manual' });
    expect(slo.status).toBe(302);
    const gone = await within(5000, async () => (await fetch(`${s.stack.gatewayUrl}/_gateway/api/v1/whoami`, { headers: { cookie, accept: 'application/json' } })).status === 401);
    expect(gone).toBeLessThan(Infinity);
  });
});
