/**
 * The demo OpenID Provider: a real, in-process OP built on `oidc-provider` (panva's certified
 * implementation), serving the demo users over plain HTTP on 127.0.0.1. Used by the `demo`
 * command and as the IdP of the integration tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import type Provider from 'oidc-provider';
import type { JWK as ProviderJwk } from 'oidc-provider';

import { HttpBrowser, extractForm } from './http-browser.js';
import { INTERACTION_PREFIX, createInteractionHandler } from './interactions.js';
import { MemoryStore } from './memory-adapter.js';
import {
  DEFAULT_GRANT_TYPES, SUPPORTED_SCOPES, clientMetadata, providerConfiguration, type DemoClient,
} from './provider-config.js';
import { DEMO_USERS, UserDirectory, subjectFor, type DemoUser, type GroupsClaim } from './users.js';

export { DEMO_USERS, type DemoUser, type GroupsClaim } from './users.js';
export { type DemoClient } from './provider-config.js';

export interface DemoIdpOptions {
  /** 0/undefined = random free port on 127.0.0.1. */
  port?: number;
  /** Default DEMO_USERS. */
  users?: DemoUser[];
  clients: DemoClient[];
  /** Audience (`aud`) of JWT access tokens; default 'mlflow-gateway'. */
  audience?: string;
  /** Default 300. */
  accessTokenTtlSeconds?: number;
  /** Default 300. */
  idTokenTtlSeconds?: number;
  /** Default 86400. */
  refreshTokenTtlSeconds?: number;
  /** Where groups go in the ID token and access token; default 'groups'. */
  groupsClaim?: GroupsClaim;
}

/** A private RS256 signing key as a JWK. */
export type DemoSigningJwk = JWK & { kid: string; alg: 'RS256'; use: 'sig' };

export interface DemoTokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: string;
  scope?: string;
}

export interface DemoIdp {
  /** e.g. http://127.0.0.1:41234 */
  issuer: string;
  jwksUri: string;
  /** Current private signing keys (primary first) as JWKs with kid and alg, e.g. to craft expired or tampered tokens with jose. */
  privateJwks(): DemoSigningJwk[];
  /** Generates a new RS256 key and makes it the primary signing key; older keys stay published. Sessions survive. */
  rotateSigningKey(): Promise<string>;
  /**
   * Drives a complete authorization-code + PKCE + state + nonce flow for `username` over HTTP
   * (submitting the real login form) and returns the tokens. The client (default: the first
   * client with the authorization_code grant) must have a redirect URI; the redirect is captured,
   * not followed.
   */
  getTokens(username: string, opts?: { clientId?: string; scope?: string }): Promise<DemoTokens>;
  /** Test hook: changes a user's groups; the next sign-in or token refresh carries them. */
  setUserGroups(username: string, groups: readonly string[]): void;
  /**
   * Test hook: revokes everything the IdP issued to a user (its sessions, grants, refresh and
   * access tokens), as an administrator ending a user's access would; refreshes then fail with invalid_grant.
   */
  revokeUser(username: string): void;
  /** client_credentials grant for a client that has it. */
  clientCredentials(clientId: string): Promise<{ access_token: string; expires_in: number; token_type: string }>;
  stop(): Promise<void>;
}

const DEFAULT_AUDIENCE = 'mlflow-gateway';

export async function startDemoIdp(opts: DemoIdpOptions): Promise<DemoIdp> {
  const users = new UserDirectory(opts.users ?? DEMO_USERS, opts.groupsClaim ?? 'groups');
  const clients = opts.clients.map((c) => ({ ...c }));
  const clientIds = new Set<string>();
  for (const client of clients) {
    if (clientIds.has(client.clientId)) throw new Error(`demo IdP: duplicate client '${client.clientId}'`);
    clientIds.add(client.clientId);
    clientMetadata(client); // validates before anything is started
  }
  const audience = opts.audience ?? DEFAULT_AUDIENCE;
  if (!audience) throw new Error('demo IdP: audience must not be empty');
  const accessTokenTtl = ttl('accessTokenTtlSeconds', opts.accessTokenTtlSeconds, 300);
  const idTokenTtl = ttl('idTokenTtlSeconds', opts.idTokenTtlSeconds, 300);
  const refreshTokenTtl = ttl('refreshTokenTtlSeconds', opts.refreshTokenTtlSeconds, 86400);

  const [oidc, firstKey] = await Promise.all([loadOidcProvider(), generateSigningKey()]);
  const signingKeys: DemoSigningJwk[] = [firstKey];
  const store = new MemoryStore();
  const cookieKeys = [randomBytes(32).toString('base64url')];

  type Instance = { provider: Provider; callback: ReturnType<Provider['callback']> };
  let current: Instance | undefined;
  const reportError = (err: unknown): void => {
    console.error('demo IdP: internal error:', err);
  };
  const handleInteraction = createInteractionHandler({
    provider: () => {
      if (!current) throw new Error('demo IdP: provider not initialised');
      return current.provider;
    },
    users,
    onError: reportError,
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!current) {
      res.writeHead(503, { 'retry-after': '1' }).end();
    } else if ((req.url ?? '').startsWith(INTERACTION_PREFIX)) {
      handleInteraction(req, res).catch((err: unknown) => {
        reportError(err);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
    } else {
      void current.callback(req, res);
    }
  });
  await listen(server, opts.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  // A key rotation builds a new Provider over the same store, cookie keys and clients.
  const buildProvider = (): Instance => {
    const provider = new oidc.Provider(issuer, providerConfiguration({
      users,
      clients,
      store,
      signingKeys: signingKeys.map((k): ProviderJwk => ({ ...k })),
      cookieKeys,
      audience,
      resourceIndicator: resourceIndicatorFor(audience),
      accessTokenTtl,
      idTokenTtl,
      refreshTokenTtl,
      errors: oidc.errors,
    }));
    provider.on('server_error', (_ctx, err) => reportError(err));
    // A logout token the RP did not accept is the RP's problem, but it must not pass silently.
    provider.on('backchannel.error', (_ctx, err, client) => console.error(`demo IdP: back-channel logout to ${client.clientId} failed: ${err.message}`));
    return { provider, callback: provider.callback() };
  };

  try {
    current = buildProvider();
  } catch (err) {
    await close(server);
    throw err;
  }

  const discovery = {
    authorization: `${issuer}/auth`,
    token: `${issuer}/token`,
    jwks: `${issuer}/jwks`,
  };

  const findClient = (clientId: string): DemoClient => {
    const client = clients.find((c) => c.clientId === clientId);
    if (!client) throw new Error(`demo IdP: unknown client '${clientId}'`);
    return client;
  };

  const tokenRequest = async (client: DemoClient, params: Record<string, string>): Promise<Record<string, unknown>> => {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const body = new URLSearchParams(params);
    if (client.public === true || client.clientSecret === undefined) {
      body.set('client_id', client.clientId);
    } else {
      headers.authorization = basicAuth(client.clientId, client.clientSecret);
    }
    const response = await fetch(discovery.token, { method: 'POST', headers, body: body.toString() });
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok || !isRecord(json)) {
      throw new Error(`demo IdP: token request (${params.grant_type}) failed with ${response.status}: ${JSON.stringify(json)}`);
    }
    return json;
  };

  let stopped: Promise<void> | undefined;

  return {
    issuer,
    jwksUri: discovery.jwks,

    privateJwks: () => signingKeys.map((k) => ({ ...k })),

    async rotateSigningKey() {
      const key = await generateSigningKey();
      signingKeys.unshift(key);
      try {
        current = buildProvider();
      } catch (err) {
        signingKeys.shift();
        throw err;
      }
      return key.kid;
    },

    async getTokens(username, tokenOpts = {}) {
      const user = users.byUsername(username);
      if (!user) throw new Error(`demo IdP: unknown user '${username}'`);
      const client = tokenOpts.clientId === undefined
        ? clients.find((c) => (c.grantTypes ?? DEFAULT_GRANT_TYPES).includes('authorization_code') && c.redirectUris.length > 0)
        : findClient(tokenOpts.clientId);
      if (!client) throw new Error('demo IdP: no client with the authorization_code grant is configured');
      const redirectUri = client.redirectUris[0];
      if (redirectUri === undefined) throw new Error(`demo IdP: client '${client.clientId}' has no redirect URI`);

      const verifier = randomBytes(32).toString('base64url');
      const state = randomBytes(16).toString('base64url');
      const nonce = randomBytes(16).toString('base64url');
      const authorize = new URL(discovery.authorization);
      authorize.search = new URLSearchParams({
        client_id: client.clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: tokenOpts.scope ?? SUPPORTED_SCOPES.filter((s) => s !== 'offline_access').join(' '),
        state,
        nonce,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();

      const isCallback = (url: string): boolean => url.startsWith(redirectUri);
      const browser = new HttpBrowser();
      const loginPage = await browser.follow(authorize, { stopAt: isCallback });
      let result = loginPage;
      if (!loginPage.stopped) {
        const html = await loginPage.response.text();
        if (loginPage.response.status !== 200) {
          throw new Error(`demo IdP: authorization request failed with ${loginPage.response.status}: ${textOf(html)}`);
        }
        result = await browser.submitForm(loginPage.url, extractForm(html), { username: user.username, password: user.password }, { stopAt: isCallback });
      }
      if (!result.stopped) {
        const text = await result.response.text();
        throw new Error(`demo IdP: sign-in of '${username}' did not reach the redirect URI (${result.response.status} at ${result.url}): ${textOf(text)}`);
      }
      const callback = new URL(result.url).searchParams;
      if (callback.get('error')) {
        throw new Error(`demo IdP: authorization error ${callback.get('error')}: ${callback.get('error_description') ?? ''}`);
      }
      if (callback.get('state') !== state) throw new Error('demo IdP: state mismatch in authorization response');
      if (callback.get('iss') !== null && callback.get('iss') !== issuer) throw new Error('demo IdP: iss mismatch in authorization response');
      const code = callback.get('code');
      if (!code) throw new Error('demo IdP: authorization response has no code');

      const json = await tokenRequest(client, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      });
      const tokens = asTokens(json);
      if (decodeJwt(tokens.id_token).nonce !== nonce) throw new Error('demo IdP: nonce mismatch in ID token');
      return tokens;
    },

    setUserGroups(username, groups) {
      users.setGroups(username, groups);
    },

    revokeUser(username) {
      if (!users.byUsername(username)) throw new Error(`demo IdP: unknown user '${username}'`);
      store.revokeAccount(subjectFor(username));
    },

    async clientCredentials(clientId) {
      const client = findClient(clientId);
      const json = await tokenRequest(client, { grant_type: 'client_credentials' });
      const { access_token: accessToken, expires_in: expiresIn, token_type: tokenType } = json;
      if (typeof accessToken !== 'string' || typeof expiresIn !== 'number' || typeof tokenType !== 'string') {
        throw new Error('demo IdP: malformed client_credentials response');
      }
      return { access_token: accessToken, expires_in: expiresIn, token_type: tokenType };
    },

    stop() {
      stopped ??= close(server).then(() => store.clear());
      return stopped;
    },
  };
}

type OidcProviderModule = typeof import('oidc-provider');

let oidcModule: Promise<OidcProviderModule> | undefined;

/**
 * Imports oidc-provider once. Its entry point warns on every Node.js release before 22 LTS
 * ("Unsupported runtime"); the demo IdP works on Node 20 (which the gateway supports), so that one
 * notice is filtered out while the module initialises. Everything else passes through.
 */
function loadOidcProvider(): Promise<OidcProviderModule> {
  oidcModule ??= (async () => {
    const original = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
      original.apply(console, args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = original;
    }
  })();
  return oidcModule;
}

async function generateSigningKey(): Promise<DemoSigningJwk> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

/** oidc-provider requires resource indicators to be absolute URIs; a bare audience gets a URN. */
function resourceIndicatorFor(audience: string): string {
  return URL.canParse(audience) ? audience : `urn:mlflow-oidc-gateway:audience:${encodeURIComponent(audience)}`;
}

function ttl(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isSafeInteger(result) || result <= 0) {
    throw new Error(`demo IdP: ${name} must be a positive integer number of seconds`);
  }
  return result;
}

function basicAuth(clientId: string, secret: string): string {
  // RFC 6749 §2.3.1: form-urlencode both parts before base64.
  const encode = (v: string): string => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

function asTokens(json: Record<string, unknown>): DemoTokens {
  const { access_token: accessToken, id_token: idToken, refresh_token: refreshToken, expires_in: expiresIn, token_type: tokenType, scope } = json;
  if (typeof accessToken !== 'string' || typeof idToken !== 'string' || typeof expiresIn !== 'number' || typeof tokenType !== 'string') {
    throw new Error(`demo IdP: malformed token response: ${JSON.stringify(Object.keys(json))}`);
  }
  return {
    access_token: accessToken,
    id_token: idToken,
    expires_in: expiresIn,
    token_type: tokenType,
    ...(typeof refreshToken === 'string' ? { refresh_token: refreshToken } : {}),
    ...(typeof scope === 'string' ? { scope } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, ' ').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
