import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import { clearCookie, conflictClearing, gatewayCookieNames, loginCookieName, loginCookiePath, parseCookies, readSessionCookie, serializeCookie, sessionCookieName, sessionCookiePath } from './cookies.js';

function configFor(publicUrl: string): Config {
  const r = loadConfig({
    MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:5000', GATEWAY_PUBLIC_URL: publicUrl, GATEWAY_SECRET: 'x'.repeat(40),
    OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'mlflow',
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

const attributes = (header: string) => header.split('; ').slice(1);

describe('session cookie attributes', () => {
  it('are HttpOnly, SameSite=Lax and Secure when the public URL is https', () => {
    const config = configFor('https://ml.example.com/mlflow');
    const header = serializeCookie(config, { name: sessionCookieName(config), value: 'abc.def', path: sessionCookiePath(config), maxAgeSeconds: 3600 });
    expect(header.startsWith('__Host-mlflow_gateway_session=abc.def; ')).toBe(true);
    // __Host-: the browser insists on Secure, Path=/ and no Domain.
    expect(attributes(header)).toEqual(['Path=/', 'HttpOnly', 'SameSite=Lax', 'Secure', 'Max-Age=3600']);
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:8080/mlflow'])('are HttpOnly and SameSite=Lax but not Secure on plain-http loopback (%s)', (url) => {
    const config = configFor(url);
    const header = serializeCookie(config, { name: 'sid', value: 'v', path: sessionCookiePath(config) });
    expect(attributes(header)).toContain('HttpOnly');
    expect(attributes(header)).toContain('SameSite=Lax');
    expect(attributes(header)).not.toContain('Secure');
  });

  it('clearing a cookie keeps the same attributes and expires it at once', () => {
    const config = configFor('https://ml.example.com');
    expect(clearCookie(config, 'sid', '/')).toBe('sid=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0');
  });

  it('uses the __Host- prefix (hence Path=/) whenever the cookie is Secure, for the session and the sign-in state cookie', () => {
    const secure = configFor('https://ml.example.com/mlflow/');
    expect([sessionCookieName(secure), sessionCookiePath(secure)]).toEqual(['__Host-mlflow_gateway_session', '/']);
    expect([loginCookieName(secure), loginCookiePath(secure)]).toEqual(['__Host-mlflow_gateway_session_login', '/']);
    const plain = configFor('http://localhost:8080/mlflow');
    expect([sessionCookieName(plain), sessionCookiePath(plain)]).toEqual(['mlflow_gateway_session', '/mlflow']);
    expect([loginCookieName(plain), loginCookiePath(plain)]).toEqual(['mlflow_gateway_session_login', '/mlflow/_gateway/callback']);
    expect(gatewayCookieNames(secure)).toEqual(expect.arrayContaining(['mlflow_gateway_session', '__Host-mlflow_gateway_session', '__Host-mlflow_gateway_session_login']));
  });

  it('refuses two session cookies of the same name instead of choosing one, clearing every copy', () => {
    const plain = configFor('http://127.0.0.1:8080');
    expect(readSessionCookie(plain, 'a=1; mlflow_gateway_session=x.y', '/')).toBe('x.y');
    expect(readSessionCookie(plain, 'a=1', '/')).toBeUndefined();
    let err: unknown;
    try {
      readSessionCookie(plain, 'mlflow_gateway_session=attacker; a=1; mlflow_gateway_session=victim', '/ajax-api/2.0/mlflow/runs/search');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(401);
    expect((err as GatewayError).code).toBe('GW_SESSION_COOKIE_CONFLICT');
    const cleared = (err as GatewayError).headers['set-cookie'] as string[];
    for (const path of ['/', '/ajax-api', '/ajax-api/2.0', '/ajax-api/2.0/mlflow', '/ajax-api/2.0/mlflow/runs', '/api']) {
      expect(cleared).toContain(`mlflow_gateway_session=; Path=${path}; HttpOnly; SameSite=Lax; Max-Age=0`);
    }
    // A __Host- cookie exists only at Path=/ without Domain.
    expect(conflictClearing(configFor('https://ml.example.com/mlflow'), '/mlflow/ajax-api/x')).toEqual(['__Host-mlflow_gateway_session=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0']);
  });

  it('parses a Cookie header, the first occurrence of a name winning', () => {
    const cookies = parseCookies('a=1; sid=first; b = 2 ; sid=second; junk; =x');
    expect(Object.fromEntries(cookies)).toEqual({ a: '1', sid: 'first', b: '2' });
    expect(parseCookies(undefined).size).toBe(0);
  });
});
