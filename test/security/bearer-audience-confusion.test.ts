import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// Attack: replay a genuine token from the same IdP that was meant for someone else (another API,
// another application). Real IdP tokens: access tokens are issued for the resource server
// 'mlflow-api'; ID tokens carry their client id as audience. Controls show what is accepted.
const API = '/api/2.0/mlflow/experiments/search?max_results=1';
const OTHER_APP = 'other-app';

describe('bearer audience confusion', () => {
  let withClientId: Stack; // OIDC_AUDIENCE=mlflow-api,mlflow-gateway
  let apiOnly: Stack; // OIDC_AUDIENCE=mlflow-api
  let clientIdOnly: Stack; // OIDC_AUDIENCE unset: the client id
  beforeAll(async () => {
    const idp = {
      audience: 'mlflow-api',
      clients: [{ clientId: OTHER_APP, clientSecret: 'other-app-secret-0123456789', redirectUris: ['http://127.0.0.1/other-app-callback'] }],
    };
    [withClientId, apiOnly, clientIdOnly] = await Promise.all([
      startStack({ idp, env: { OIDC_AUDIENCE: 'mlflow-api,mlflow-gateway' } }),
      startStack({ idp, env: { OIDC_AUDIENCE: 'mlflow-api' } }),
      startStack({ idp, env: { OIDC_AUDIENCE: '' } }),
    ]);
  });
  afterAll(async () => Promise.all([withClientId, apiOnly, clientIdOnly].map((s) => s?.stop())));

  const call = (stack: Stack, token: string) => fetch(`${stack.gatewayUrl}${API}`, { headers: { authorization: `Bearer ${token}` } });
  const expectAudienceRefusal = async (res: Response) => {
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_INVALID_TOKEN', message: expect.stringMatching(/audience/) });
  };

  it('accepts an ID token (aud = client id) when OIDC_AUDIENCE includes the client id, and the access token too', async () => {
    const tokens = await withClientId.idp.getTokens('alice');
    const call1 = await call(withClientId, tokens.id_token);
    expect(call1.status).toBe(200);
    expect((await call(withClientId, tokens.access_token)).status).toBe(200);
    const logged = withClientId.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'request' && l.auth === 'jwt');
    expect(logged.map((l) => l.user)).toEqual(['alice', 'alice']);
  });

  it('id-token-without-client-audience: refuses an ID token when OIDC_AUDIENCE does not include the client id', async () => {
    const tokens = await apiOnly.idp.getTokens('alice');
    expect((await call(apiOnly, tokens.access_token)).status).toBe(200);
    await expectAudienceRefusal(await call(apiOnly, tokens.id_token));
  });

  it('token-for-another-service: refuses a genuine IdP access token minted for another audience', async () => {
    const tokens = await clientIdOnly.idp.getTokens('alice');
    expect(clientIdOnly.config.audience).toEqual(['mlflow-gateway']);
    await expectAudienceRefusal(await call(clientIdOnly, tokens.access_token));
    expect((await call(clientIdOnly, tokens.id_token)).status).toBe(200);
  });

  it('id-token-of-another-client: refuses an ID token the IdP issued to another application', async () => {
    const tokens = await withClientId.idp.getTokens('alice', { clientId: OTHER_APP });
    await expectAudienceRefusal(await call(withClientId, tokens.id_token));
  });
});
