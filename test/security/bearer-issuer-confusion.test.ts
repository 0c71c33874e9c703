import { importJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, startStack, type Stack } from '../support/stack.js';
import { startDemoIdp, type DemoIdp } from '../../src/devtools/idp/index.js';

// Attacks on bearer JWTs when several providers are configured: the token's iss picks ONE
// provider, and that provider's keys, audiences and algorithms alone decide. Real IdPs: "oidc"
// (A, audience mlflow-gateway) and "partner" (B, which the gateway accepts for audience
// partner-api only, though B also mints tokens for mlflow-gateway — A's audience).
const API = '/api/2.0/mlflow/experiments/search?max_results=1';
const PARTNER_CLIENT = 'partner-api';

describe('bearer tokens from several issuers', () => {
  let stack: Stack;
  let strictAlgs: Stack; // partner accepts ES256 only
  let stranger: DemoIdp; // an IdP the gateway does not know
  beforeAll(async () => {
    [stack, strictAlgs, stranger] = await Promise.all([
      startStack({
        extraProviders: [{
          id: 'partner', env: { GATEWAY_PROVIDER_PARTNER_AUDIENCE: PARTNER_CLIENT },
          idp: { clients: [{ clientId: PARTNER_CLIENT, clientSecret: 'partner-api-secret-0123456789', redirectUris: ['http://127.0.0.1/partner-callback'] }] },
        }],
      }),
      startStack({ extraProviders: [{ id: 'partner', env: { GATEWAY_PROVIDER_PARTNER_ALGORITHMS: 'ES256' } }] }),
      startDemoIdp({ clients: [{ clientId: CLIENT_ID, clientSecret: 'stranger-secret-0123456789', redirectUris: ['http://127.0.0.1/cb'] }] }),
    ]);
  });
  afterAll(async () => Promise.all([stack?.stop(), strictAlgs?.stop(), stranger?.stop()]));

  const call = (s: Stack, token: string) => fetch(`${s.gatewayUrl}${API}`, { headers: { authorization: `Bearer ${token}` } });
  async function expectRefused(res: Response, message: RegExp): Promise<void> {
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_INVALID_TOKEN', message: expect.stringMatching(message) });
  }

  it('accepts each provider\'s genuine token for that provider\'s own audience (control)', async () => {
    expect((await call(stack, (await stack.idp.getTokens('alice')).access_token)).status).toBe(200);
    const partner = await stack.idps.partner!.getTokens('carol', { clientId: PARTNER_CLIENT });
    expect((await call(stack, partner.id_token)).status).toBe(200);
    const carol = await stack.server.gateway.store.users.getByUsername('carol');
    expect(carol?.subjectKey.startsWith(`${stack.idps.partner!.issuer}#`)).toBe(true);
  });

  it('b-token-with-a-audience: a genuine partner token minted for A\'s audience is refused', async () => {
    const tokens = await stack.idps.partner!.getTokens('bob');
    await expectRefused(await call(stack, tokens.access_token), /audience/);
    await expectRefused(await call(stack, tokens.id_token), /audience/); // aud = the shared client id
  });

  it('unknown-issuer: a genuine token of an IdP that is not configured is refused', async () => {
    const tokens = await stranger.getTokens('alice');
    await expectRefused(await call(stack, tokens.access_token), /untrusted issuer/);
  });

  it('forged-iss: B\'s key signing a token that claims A\'s issuer is refused (A\'s keys decide)', async () => {
    const jwk = stack.idps.partner!.privateJwks()[0]!;
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { iss: stack.idp.issuer, aud: 'mlflow-gateway', sub: 'x', preferred_username: 'admin', groups: ['mlflow-admins'], iat: now, exp: now + 300 };
    const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(await importJWK(jwk, 'RS256'));
    await expectRefused(await call(stack, forged), /unknown key|signature/);
    expect(await stack.server.gateway.store.users.getByUsername('admin')).toBeUndefined();
  });

  it('per-provider-algorithms: B\'s allow-list (ES256) refuses its RS256 tokens while A (default list) accepts them', async () => {
    await expectRefused(await call(strictAlgs, (await strictAlgs.idps.partner!.getTokens('bob')).access_token), /algorithm/);
    expect((await call(strictAlgs, (await strictAlgs.idp.getTokens('bob')).access_token)).status).toBe(200);
  });
});
