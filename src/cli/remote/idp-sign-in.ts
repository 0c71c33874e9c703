// Signing a person in at the gateway's IdP from a terminal, as the public CLI client the gateway
// names in its cli-config. The device authorization grant when the IdP offers it (works over SSH
// and in containers: the browser can be on another machine), else the authorization code flow
// with PKCE and a one-shot listener on 127.0.0.1 (RFC 8252).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { CliConfig } from '../../tokens/cli-config-route.js';
import { CliError } from './gateway-client.js';
import { waiting } from './progress.js';

export type Flow = 'auto' | 'device' | 'browser';

export interface IdpTokens {
  readonly accessToken: string;
  readonly idToken: string | undefined;
}

export interface SignInOptions {
  readonly flow: Flow;
  /** Try to open a browser (default: only when stderr is a terminal). */
  readonly openBrowser: boolean;
  /** Where instructions and progress go (stdout is kept for the export lines). */
  readonly say: (line: string) => void;
}

const BROWSER_TIMEOUT_MS = 5 * 60_000;
const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

export async function signIn(cfg: CliConfig, opts: SignInOptions): Promise<IdpTokens> {
  let config: client.Configuration;
  try {
    config = await client.discovery(new URL(cfg.issuer), cfg.client_id, undefined, client.None(), {
      timeout: 15,
      // openid-client refuses plain http; a loopback IdP (the demo) is the only exception.
      ...(isLoopback(cfg.issuer) ? { execute: [client.allowInsecureRequests] } : {}),
    });
  } catch (err) {
    throw new CliError(`Cannot reach the identity provider ${cfg.issuer}: ${(err as Error).message}`);
  }
  const hasDevice = config.serverMetadata().device_authorization_endpoint !== undefined;
  if (opts.flow === 'device' && !hasDevice) throw new CliError(`The identity provider ${cfg.issuer} does not offer the device authorization grant; use --flow browser`);
  const scope = cfg.scopes.join(' ');
  try {
    return opts.flow === 'browser' || !hasDevice ? await browserFlow(config, scope, opts) : await deviceFlow(config, scope, opts);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(describeOAuthError(err));
  }
}

async function deviceFlow(config: client.Configuration, scope: string, opts: SignInOptions): Promise<IdpTokens> {
  const auth = await client.initiateDeviceAuthorization(config, { scope });
  const complete = auth.verification_uri_complete;
  opts.say('');
  opts.say(`  To sign in, open ${auth.verification_uri}`);
  opts.say(`  and enter the code  ${auth.user_code}`);
  if (complete) opts.say(`  (or open ${complete})`);
  opts.say('');
  if (opts.openBrowser) openBrowser(complete ?? auth.verification_uri);
  const deadline = Date.now() + auth.expires_in * 1000;
  const progress = waiting('Waiting for you to approve the sign-in in the browser', deadline);
  try {
    const tokens = await client.pollDeviceAuthorizationGrant(config, auth, undefined, { signal: AbortSignal.timeout(auth.expires_in * 1000) });
    progress.stop('Signed in at the identity provider.');
    return { accessToken: tokens.access_token, idToken: tokens.id_token };
  } catch (err) {
    progress.stop();
    throw err;
  }
}

async function browserFlow(config: client.Configuration, scope: string, opts: SignInOptions): Promise<IdpTokens> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const callback = await listenOnce();
  try {
    const redirectUri = `http://127.0.0.1:${callback.port}/callback`;
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope, state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    opts.say('');
    opts.say('  To sign in, open this address in a browser on this machine:');
    opts.say(`  ${url.href}`);
    opts.say('');
    if (opts.openBrowser) openBrowser(url.href);
    const progress = waiting('Waiting for you to sign in in the browser', Date.now() + BROWSER_TIMEOUT_MS);
    try {
      const returned = await callback.next(BROWSER_TIMEOUT_MS);
      const tokens = await client.authorizationCodeGrant(config, new URL(returned, redirectUri), {
        pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: scope.split(' ').includes('openid'),
      });
      progress.stop('Signed in at the identity provider.');
      return { accessToken: tokens.access_token, idToken: tokens.id_token };
    } catch (err) {
      progress.stop();
      throw err;
    }
  } finally {
    callback.close();
  }
}

/** A listener on 127.0.0.1 that hands over the first /callback request's path and query. */
async function listenOnce(): Promise<{ port: number; next(timeoutMs: number): Promise<string>; close(): void }> {
  let deliver: ((url: string) => void) | undefined;
  const arrived = new Promise<string>((resolve) => (deliver = resolve));
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith('/callback')) return void res.writeHead(404).end();
    const failed = new URL(url, 'http://127.0.0.1').searchParams.has('error');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(
      `<!doctype html><meta charset="utf-8"><title>mlflow-oidc-gateway</title><body style="font-family:system-ui;margin:3em">`
      + `<h1>${failed ? 'Sign-in failed' : 'Signed in'}</h1><p>${failed ? 'See the terminal for details.' : 'You can close this tab and return to the terminal.'}</p></body>`,
    );
    deliver?.(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    next: (timeoutMs) => Promise.race([
      arrived,
      new Promise<string>((_, reject) => setTimeout(() => reject(new CliError('Gave up waiting for the browser sign-in (5 minutes); run login again')), timeoutMs).unref()),
    ]),
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined); // no browser here: the printed address is enough
    child.unref();
  } catch {
    // same: the address is on the screen
  }
}

function describeOAuthError(err: unknown): string {
  const e = err as { error?: string; error_description?: string; message?: string; name?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'The sign-in was not approved in time; run login again';
  if (e.error === 'access_denied') return 'The sign-in was denied at the identity provider';
  if (e.error === 'expired_token') return 'The code expired before the sign-in was approved; run login again';
  if (e.error === 'unauthorized_client' || e.error === 'invalid_client') {
    return `The identity provider refused the CLI client (${e.error}${e.error_description ? `: ${e.error_description}` : ''}); the administrator must register OIDC_CLI_CLIENT_ID as a public client`;
  }
  if (e.error) return `The identity provider answered ${e.error}${e.error_description ? `: ${e.error_description}` : ''}`;
  return `Sign-in failed: ${e.message ?? String(err)}`;
}
