import { decodeJwt } from 'jose';
import { startDemoIdp, type DemoIdp } from '../../src/devtools/idp/index.js';

// The benchmark's OpenID Provider: the project's in-process demo IdP, with one client for every
// gateway instance the suite starts (each has its own port, hence its own redirect URI) and one
// for mlflow-oidc-auth. Tokens live two hours, so nothing refreshes in the middle of a run.

export const GATEWAY_CLIENT_ID = 'mlflow-gateway';
export const GATEWAY_CLIENT_SECRET = 'bench-gateway-client-secret-0123456789';
export const PEER_CLIENT_ID = 'mlflow-oidc-auth';
export const PEER_CLIENT_SECRET = 'bench-peer-client-secret-0123456789';
export const AUDIENCE = 'mlflow-gateway';

export interface BenchIdp {
  readonly idp: DemoIdp;
  readonly issuer: string;
  /** A fresh JWT access token for a demo user (audience: the gateway's). */
  accessToken(username: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchIdp(opts: { gatewayUrls: string[]; peerUrls: string[] }): Promise<BenchIdp> {
  const idp = await startDemoIdp({
    audience: AUDIENCE,
    accessTokenTtlSeconds: 7200,
    idTokenTtlSeconds: 7200,
    clients: [
      {
        clientId: GATEWAY_CLIENT_ID, clientSecret: GATEWAY_CLIENT_SECRET,
        redirectUris: opts.gatewayUrls.map((u) => `${u}/_gateway/callback`),
        postLogoutRedirectUris: opts.gatewayUrls.map((u) => `${u}/_gateway/signed-out`),
        grantTypes: ['authorization_code', 'refresh_token'],
      },
      {
        clientId: PEER_CLIENT_ID, clientSecret: PEER_CLIENT_SECRET,
        redirectUris: opts.peerUrls.map((u) => `${u}/callback`),
        grantTypes: ['authorization_code', 'refresh_token'],
      },
    ],
  });
  return {
    idp,
    issuer: idp.issuer,
    async accessToken(username) {
      const tokens = await idp.getTokens(username, { clientId: GATEWAY_CLIENT_ID });
      const claims = decodeJwt(tokens.access_token);
      if (!claims.exp || claims.exp * 1000 < Date.now() + 30 * 60_000) throw new Error('bench IdP: access token lives too briefly for a benchmark run');
      return tokens.access_token;
    },
    stop: () => idp.stop(),
  };
}
