import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/index.js';
import { clearCookie, parseCookies, serializeCookie, sessionCookiePath } from './cookies.js';

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
    const header = serializeCookie(config, { name: 'sid', value: 'abc.def', path: sessionCookiePath(config), maxAgeSeconds: 3600 });
    expect(header.startsWith('sid=abc.def; ')).toBe(true);
    expect(attributes(header)).toEqual(['Path=/mlflow', 'HttpOnly', 'SameSite=Lax', 'Secure', 'Max-Age=3600']);
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

  it('scopes the session cookie to the mount path', () => {
    expect(sessionCookiePath(configFor('https://ml.example.com'))).toBe('/');
    expect(sessionCookiePath(configFor('https://ml.example.com/mlflow/'))).toBe('/mlflow');
  });

  it('parses a Cookie header, the first occurrence of a name winning', () => {
    const cookies = parseCookies('a=1; sid=first; b = 2 ; sid=second; junk; =x');
    expect(Object.fromEntries(cookies)).toEqual({ a: '1', sid: 'first', b: '2' });
    expect(parseCookies(undefined).size).toBe(0);
  });
});
