import type { GatewayProcess } from './gateway-process.js';
import { signInCookie } from './gateway.js';
import type { BenchIdp } from './idp.js';
import { personalTokenCredential } from './personal-tokens.js';

// The credential types the gateway accepts on authorized REST calls. Adding one is one entry in
// CREDENTIALS: how to obtain the request headers for a demo user, or why it cannot be done yet.

export interface GatewayContext {
  readonly url: string;
  readonly process: GatewayProcess;
  readonly idp: BenchIdp;
}

export type CredentialHeaders = { headers: Record<string, string> } | { unavailable: string };

export interface GatewayCredential {
  readonly id: string;
  readonly label: string;
  headers(gw: GatewayContext, username: string): Promise<CredentialHeaders>;
}

export const CREDENTIALS: readonly GatewayCredential[] = [
  {
    id: 'cookie',
    label: 'session cookie',
    // Signed in over HTTP like a browser: gateway → IdP login form → callback.
    headers: async (gw, username) => ({ headers: { cookie: await signInCookie(gw.url, username) } }),
  },
  {
    id: 'jwt',
    label: 'bearer JWT',
    headers: async (gw, username) => ({ headers: { authorization: `Bearer ${await gw.idp.accessToken(username)}` } }),
  },
  {
    id: 'token-bearer',
    label: 'personal token (Bearer)',
    headers: async (gw, username) => {
      const token = await personalTokenCredential(gw, username);
      return 'token' in token ? { headers: { authorization: `Bearer ${token.token}` } } : token;
    },
  },
  {
    id: 'token-basic',
    label: 'personal token (Basic)',
    headers: async (gw, username) => {
      const token = await personalTokenCredential(gw, username);
      return 'token' in token ? { headers: { authorization: `Basic ${Buffer.from(`${username}:${token.token}`).toString('base64')}` } } : token;
    },
  },
];
