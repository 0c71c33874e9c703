import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import * as oidcClient from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HttpBrowser, extractForm } from '../../../test/support/http-browser.js';
import { DEMO_USERS, startDemoIdp, type DemoIdp } from './index.js';

const CLIENT_ID = 'mlflow-gateway';
const CLIENT_SECRET = 'gateway-secret';
const REDIRECT_URI = 'http://127.0.0.1:9/oidc/callback';
const POST_LOGOUT_URI = 'http://127.0.0.1:9/signed-out';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

async function postToken(idp: DemoIdp, params: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(CLIENT_ID, CLIENT_SECRET) },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Starts an authorization request in `browser` and returns the login page. */
async function openLoginPage(idp: DemoIdp, browser: HttpBrowser, extra: Record<string, string> = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${idp.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email groups',
    state: 'st-1',
    nonce: 'n-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  const page = await browser.follow(url, { stopAt: (u) => u.startsWith(REDIRECT_URI) });
  return { page, verifier };
}

const toCallback = { stopAt: (u: string) => u.startsWith(REDIRECT_URI) };

describe('demo IdP (oidc-provider)', () => {
  let idp: DemoIdp;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    idp = await startDemoIdp({
      clients: [{
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [REDIRECT_URI],
        postLogoutRedirectUris: [POST_LOGOUT_URI],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT],
      }],
    });
    jwks = createRemoteJWKSet(new URL(idp.jwksUri), { cacheMaxAge: 0, cooldownDuration: 0 });
  });

  afterAll(async () => {
    await idp?.stop();
  });

  const verifyAccessToken = async (token: string): Promise<JWTPayload> =>
    (await jwtVerify(token, jwks, { issuer: idp.issuer, audience: 'mlflow-gateway', algorithms: ['RS256'] })).payload;

  it('serves discovery and JWKS', async () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta.issuer).toBe(idp.issuer);
    expect(meta.jwks_uri).toBe(idp.jwksUri);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'groups', 'offline_access']));
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT]));
    expect(meta.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(meta.end_session_endpoint).toBe(`${idp.issuer}/session/end`);
    expect(meta.device_authorization_endpoint).toBe(`${idp.issuer}/device/auth`);

    const keys = (await (await fetch(idp.jwksUri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: idp.privateJwks()[0]?.kid });
    expect(keys.keys[0]).not.toHaveProperty('d');
  });

  it('getTokens signs a user in and returns verifiable JWT access and ID tokens', async () => {
    const tokens = await idp.getTokens('alice');
    const at = await verifyAccessToken(tokens.access_token);
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(at).toMatchObject({
      sub: 'user-alice',
      preferred_username: 'alice',
      email: 'alice@example.com',
      groups: ['team-a'],
      client_id: CLIENT_ID,
      azp: CLIENT_ID,
    });
    expect(at.exp! - at.iat!).toBe(300);
    expect(tokens.expires_in).toBe(300);
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const id = (await jwtVerify(tokens.id_token, jwks, { issuer: idp.issuer, audience: CLIENT_ID })).payload;
    expect(id).toMatchObject({
      sub: 'user-alice',
      preferred_username: 'alice',
      name: 'Alice Example',
      email: 'alice@example.com',
      email_verified: true,
      groups: ['team-a'],
    });
    expect(id.nonce).toEqual(expect.any(String));
  });

  it('refresh_token grant works and rotates the refresh token', async () => {
    const tokens = await idp.getTokens('carol');
    const config = await oidcClient.discovery(new URL(idp.issuer), CLIENT_ID, CLIENT_SECRET, undefined, {
      execute: [oidcClient.allowInsecureRequests],
    });
    const refreshed = await oidcClient.refreshTokenGrant(config, tokens.refresh_token!);
    const at = await verifyAccessToken(refreshed.access_token);
    expect(at).toMatchObject({ sub: 'user-carol', groups: ['team-a', 'team-b'], preferred_username: 'carol' });
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()).toMatchObject({ sub: 'user-carol', groups: ['team-a', 'team-b'] });

    // The rotated-away token is consumed.
    const reuse = await postToken(idp, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    expect(reuse.status).toBe(400);
    expect(reuse.json.error).toBe('invalid_grant');
  });

  it('shows an error on a wrong password and issues no code', async () => {
    const browser = new HttpBrowser();
    const { page } = await openLoginPage(idp, browser);
    expect(page.stopped).toBe(false);
    const html = await page.response.text();
    expect(html).toContain('MLflow demo sign-in');
    expect(html).not.toContain('alice-pass');

    const result = await browser.submitForm(page.url, html, { username: 'alice', password: 'wrong' }, toCallback);
    expect(result.stopped).toBe(false);
    expect(result.response.status).toBe(200);
    const errorPage = await result.response.text();
    expect(errorPage).toContain('Invalid username or password');
    expect(errorPage).toContain('value="alice"');

    // The same login form then accepts the right password.
    const retry = await browser.submitForm(result.url, errorPage, { username: 'alice', password: 'alice-pass' }, toCallback);
    expect(retry.stopped).toBe(true);
    const callback = new URL(retry.url).searchParams;
    expect(callback.get('code')).toEqual(expect.any(String));
    expect(callback.get('state')).toBe('st-1');
  });

  it('escapes user input on the login page', async () => {
    const browser = new HttpBrowser();
    const { page } = await openLoginPage(idp, browser, { login_hint: '"><script>alert(1)</script>' });
    const html = await page.response.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('requires PKCE', async () => {
    const browser = new HttpBrowser();
    const url = new URL(`${idp.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', state: 's',
    }).toString();
    const result = await browser.follow(url, toCallback);
    expect(result.stopped).toBe(true);
    expect(new URL(result.url).searchParams.get('error')).toBe('invalid_request');
  });

  it('rotateSigningKey switches the signing key, keeps the old one published and in-flight sign-ins alive', async () => {
    const before = await idp.getTokens('alice');
    const oldKid = idp.privateJwks()[0]!.kid;
    expect(decodeProtectedHeader(before.access_token).kid).toBe(oldKid);

    const browser = new HttpBrowser();
    const { page } = await openLoginPage(idp, browser);
    const html = await page.response.text();

    const newKid = await idp.rotateSigningKey();
    expect(newKid).not.toBe(oldKid);
    expect(idp.privateJwks().map((k) => k.kid)).toEqual([newKid, oldKid]);

    // The sign-in started before the rotation completes afterwards.
    const done = await browser.submitForm(page.url, html, { username: 'alice', password: 'alice-pass' }, toCallback);
    expect(done.stopped).toBe(true);
    expect(new URL(done.url).searchParams.get('code')).toEqual(expect.any(String));

    const after = await idp.getTokens('alice');
    expect(decodeProtectedHeader(after.access_token).kid).toBe(newKid);
    expect(decodeProtectedHeader(after.id_token).kid).toBe(newKid);

    const published = (await (await fetch(idp.jwksUri)).json()) as { keys: Array<{ kid: string }> };
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    await expect(verifyAccessToken(before.access_token)).resolves.toBeTruthy();
    await expect(verifyAccessToken(after.access_token)).resolves.toBeTruthy();
  });

  it('completes the device authorization grant over plain HTTP', async () => {
    const authRes = await fetch(`${idp.issuer}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(CLIENT_ID, CLIENT_SECRET) },
      body: new URLSearchParams({ scope: 'openid profile email groups' }).toString(),
    });
    expect(authRes.status).toBe(200);
    const device = (await authRes.json()) as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete: string };
    expect(device.verification_uri).toBe(`${idp.issuer}/device`);

    const pending = await postToken(idp, { grant_type: DEVICE_GRANT, device_code: device.device_code });
    expect(pending.json.error).toBe('authorization_pending');

    const browser = new HttpBrowser();
    const input = await browser.follow(device.verification_uri);
    const inputHtml = await input.response.text();
    expect(inputHtml).toContain('Enter the code');
    const confirm = await browser.submitForm(input.url, extractForm(inputHtml), { user_code: device.user_code });
    const confirmHtml = await confirm.response.text();
    expect(confirmHtml).toContain('Confirm device');
    const login = await browser.submitForm(confirm.url, confirmHtml);
    const loginHtml = await login.response.text();
    expect(loginHtml).toContain('MLflow demo sign-in');
    const success = await browser.submitForm(login.url, loginHtml, { username: 'bob', password: 'bob-pass' });
    expect(success.response.status).toBe(200);
    expect(await success.response.text()).toContain('Device connected');

    const granted = await postToken(idp, { grant_type: DEVICE_GRANT, device_code: device.device_code });
    expect(granted.status).toBe(200);
    const at = await verifyAccessToken(granted.json.access_token as string);
    expect(at).toMatchObject({ sub: 'user-bob', preferred_username: 'bob', groups: [] });
    expect(decodeJwt(granted.json.id_token as string)).toMatchObject({ preferred_username: 'bob', groups: [] });
    expect(granted.json.refresh_token).toEqual(expect.any(String));
  });

  it('issues client_credentials JWTs for the gateway audience', async () => {
    const { access_token: token } = await idp.clientCredentials(CLIENT_ID);
    const at = await verifyAccessToken(token);
    expect(at).toMatchObject({ sub: CLIENT_ID, client_id: CLIENT_ID, azp: CLIENT_ID, aud: 'mlflow-gateway' });
    expect(at).not.toHaveProperty('preferred_username');
  });

  it('supports RP-initiated logout with post_logout_redirect_uri', async () => {
    const browser = new HttpBrowser();
    const { page, verifier } = await openLoginPage(idp, browser);
    const signedIn = await browser.submitForm(page.url, await page.response.text(), { username: 'admin', password: 'admin-pass' }, toCallback);
    const code = new URL(signedIn.url).searchParams.get('code')!;
    const tokens = await postToken(idp, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    expect(decodeJwt(tokens.json.id_token as string)).toMatchObject({ groups: ['mlflow-admins'] });
    expect(browser.cookie(idp.issuer, 'demo_idp_session')).toEqual(expect.any(String));

    const end = new URL(`${idp.issuer}/session/end`);
    end.search = new URLSearchParams({
      id_token_hint: tokens.json.id_token as string, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'bye',
    }).toString();
    const confirmPage = await browser.follow(end);
    const confirmHtml = await confirmPage.response.text();
    expect(confirmHtml).toContain('Sign out');
    const out = await browser.submitForm(confirmPage.url, confirmHtml, {}, { stopAt: (u) => u.startsWith(POST_LOGOUT_URI) });
    expect(out.stopped).toBe(true);
    expect(new URL(out.url).searchParams.get('state')).toBe('bye');
    expect(browser.cookie(idp.issuer, 'demo_idp_session')).toBeUndefined();

    // Signed out: a new authorization request shows the login form again.
    const again = await openLoginPage(idp, browser);
    expect(again.page.stopped).toBe(false);
    expect(await again.page.response.text()).toContain('MLflow demo sign-in');
  });

  it('exposes private JWKs that can mint tokens the JWKS accepts', async () => {
    const [key] = idp.privateJwks();
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: expect.any(String), d: expect.any(String) });
    const { SignJWT, importJWK } = await import('jose');
    const signed = await new SignJWT({ preferred_username: 'mallory' })
      .setProtectedHeader({ alg: 'RS256', kid: key!.kid })
      .setIssuer(idp.issuer).setAudience('mlflow-gateway').setSubject('user-mallory')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600).setExpirationTime(Math.floor(Date.now() / 1000) - 300)
      .sign(await importJWK(key!, 'RS256'));
    await expect(verifyAccessToken(signed)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });
});

describe('demo IdP options', () => {
  it('places groups in realm_access.roles and honours audience/TTL options', async () => {
    const idp = await startDemoIdp({
      clients: [{ clientId: 'spa', public: true, redirectUris: [REDIRECT_URI] }],
      groupsClaim: 'realm_access.roles',
      audience: 'https://gateway.example/api',
      accessTokenTtlSeconds: 120,
      idTokenTtlSeconds: 60,
    });
    try {
      const tokens = await idp.getTokens('carol');
      const jwks = createRemoteJWKSet(new URL(idp.jwksUri));
      const at = (await jwtVerify(tokens.access_token, jwks, { issuer: idp.issuer, audience: 'https://gateway.example/api' })).payload;
      expect(at).toMatchObject({ realm_access: { roles: ['team-a', 'team-b'] }, preferred_username: 'carol', client_id: 'spa' });
      expect(at).not.toHaveProperty('groups');
      expect(at.exp! - at.iat!).toBe(120);
      const id = decodeJwt(tokens.id_token);
      expect(id).toMatchObject({ realm_access: { roles: ['team-a', 'team-b'] } });
      expect(id).not.toHaveProperty('groups');
      expect(id.exp! - id.iat!).toBe(60);
    } finally {
      await idp.stop();
    }
  });

  it('uses the given users and rejects unknown ones', async () => {
    const idp = await startDemoIdp({
      users: [{ username: 'dave', password: 'pw', email: 'dave@example.com', name: 'Dave', groups: ['x'] }],
      clients: [{ clientId: 'c', clientSecret: 's', redirectUris: [REDIRECT_URI] }],
    });
    try {
      expect(decodeJwt((await idp.getTokens('dave')).access_token)).toMatchObject({ groups: ['x'] });
      await expect(idp.getTokens(DEMO_USERS[1]!.username)).rejects.toThrow(/unknown user/);
    } finally {
      await idp.stop();
    }
  });

  it('stop() closes the server and frees the port', async () => {
    const idp = await startDemoIdp({ clients: [{ clientId: 'c', clientSecret: 's', redirectUris: [REDIRECT_URI] }] });
    const port = Number(new URL(idp.issuer).port);
    await idp.getTokens('bob'); // leaves keep-alive connections behind
    await idp.stop();
    await idp.stop(); // idempotent
    await expect(fetch(`${idp.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  });
});
