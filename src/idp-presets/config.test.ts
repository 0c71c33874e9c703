import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import { identityFromClaims } from '../oidc/identity.js';
import { applySignInQuirks, extraAuthorizationParams } from './sign-in-hooks.js';

const BASE = { MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:5000', GATEWAY_PUBLIC_URL: 'https://ml.example.com', GATEWAY_SECRET: 'x'.repeat(40) };

function ok(env: Record<string, string>): Config {
  const r = loadConfig({ ...BASE, ...env });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}
function problems(env: Record<string, string>): Record<string, string> {
  const r = loadConfig({ ...BASE, ...env });
  if (r.ok) throw new Error('expected problems');
  return Object.fromEntries(r.problems.map((p) => [p.env, p.message]));
}
async function refusal(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
  return 'none';
}

describe('presets in the configuration', () => {
  it('OIDC_PRESET=google fills issuer, scopes, username and name; what the operator sets wins', () => {
    const p = ok({ OIDC_PRESET: 'google', OIDC_CLIENT_ID: 'x.apps.googleusercontent.com', OIDC_HOSTED_DOMAIN: 'example.com' }).providers[0]!;
    expect(p).toMatchObject({ id: 'oidc', preset: 'google', issuer: 'https://accounts.google.com', displayName: 'Google', scopes: ['openid', 'profile', 'email'], hostedDomains: ['example.com'] });
    expect(p.claims.username).toBe('email');
    const named = ok({ OIDC_PRESET: 'google', OIDC_CLIENT_ID: 'x', OIDC_PROVIDER_DISPLAY_NAME: 'Corp Google', OIDC_USERNAME_CLAIM: 'localpart(email)' }).providers[0]!;
    expect(named.displayName).toBe('Corp Google');
    expect(named.claims.username).toBe('localpart(email)');
    // Google tokens carry no groups: the Workspace domain and the address can stand in for them (README).
    const admins = ok({ OIDC_PRESET: 'google', OIDC_CLIENT_ID: 'x', OIDC_GROUPS_CLAIM: 'hd + email', OIDC_ADMIN_GROUPS: 'ada@example.com' }).providers[0]!;
    expect(identityFromClaims(admins, { iss: 'https://accounts.google.com', sub: '1', email: 'ada@example.com', email_verified: true, hd: 'example.com' })).toMatchObject({ groups: ['example.com', 'ada@example.com'], isAdmin: true });
  });

  it('Entra ID as a second provider: issuer from the tenant, multi-tenant refused with the variable named', () => {
    const env = { OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'mlflow', GATEWAY_PROVIDERS: 'entra', GATEWAY_PROVIDER_ENTRA_PRESET: 'entra', GATEWAY_PROVIDER_ENTRA_CLIENT_ID: 'app-id' };
    const entra = ok({ ...env, GATEWAY_PROVIDER_ENTRA_TENANT: '72f988bf-86f1-41af-91ab-2d7cd011db47' }).providers[1]!;
    expect(entra).toMatchObject({ issuer: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0', redirectUri: 'https://ml.example.com/_gateway/callback/entra', graphUrl: 'https://graph.microsoft.com/v1.0' });
    expect(entra.claims.groups).toBe('groups + roles');
    expect(problems({ ...env, GATEWAY_PROVIDER_ENTRA_TENANT: 'common' }).GATEWAY_PROVIDER_ENTRA_TENANT).toMatch(/every Entra ID tenant/);
    expect(problems({ ...env }).GATEWAY_PROVIDER_ENTRA_TENANT).toMatch(/required/);
  });

  it('Keycloak reads groups, realm roles and the client\'s roles together', () => {
    const p = ok({ OIDC_PRESET: 'keycloak', OIDC_ISSUER: 'https://kc.example.com/realms/main', OIDC_CLIENT_ID: 'mlflow' }).providers[0]!;
    const id = identityFromClaims(p, {
      iss: p.issuer, sub: 'u1', preferred_username: 'alice',
      realm_access: { roles: ['analyst'] }, resource_access: { mlflow: { roles: ['editor'] }, other: { roles: ['x'] } },
    });
    expect(id.groups).toEqual(['analyst', 'editor']);
  });

  it('Cognito: issuer from the user pool id, groups from cognito:groups', () => {
    const p = ok({ OIDC_PRESET: 'cognito', OIDC_USER_POOL_ID: 'eu-west-1_AbC123', OIDC_CLIENT_ID: 'c' }).providers[0]!;
    expect(p.issuer).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123');
    expect(identityFromClaims(p, { iss: p.issuer, sub: 's', 'cognito:username': 'bob', 'cognito:groups': ['ml'] })).toMatchObject({ username: 'bob', groups: ['ml'] });
  });

  it('Auth0: namespaced groups claim', () => {
    const p = ok({ OIDC_PRESET: 'auth0', OIDC_ISSUER: 'https://corp.eu.auth0.com/', OIDC_CLIENT_ID: 'c', OIDC_CLAIM_NAMESPACE: 'https://ml.example.com' }).providers[0]!;
    expect(identityFromClaims(p, { iss: p.issuer, sub: 'auth0|1', email: 'a@example.com', 'https://ml.example.com/groups': ['ds'] }).groups).toEqual(['ds']);
  });

  it('GitHub: kind github, API URL and scopes filled in', () => {
    const p = ok({ OIDC_PRESET: 'github', OIDC_CLIENT_ID: 'Iv1.x', OIDC_CLIENT_SECRET: 's' }).providers[0]!;
    expect(p).toMatchObject({ kind: 'github', issuer: 'https://github.com', apiUrl: 'https://api.github.com', scopes: ['read:user', 'user:email', 'read:org'], displayName: 'GitHub' });
  });

  it('refuses an unknown preset, a malformed mapping and a malformed email domain, naming the variable', () => {
    expect(problems({ OIDC_PRESET: 'yahoo', OIDC_CLIENT_ID: 'c' }).OIDC_PRESET).toMatch(/must be one of/);
    expect(problems({ OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'c', OIDC_GROUPS_CLAIM: 'eval(groups)' }).OIDC_GROUPS_CLAIM).toMatch(/unknown function "eval"/);
    expect(problems({ OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'c', OIDC_ALLOWED_EMAIL_DOMAINS: 'example.com,@evil' }).OIDC_ALLOWED_EMAIL_DOMAINS).toMatch(/"@evil" is not a domain/);
    expect(problems({ OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'c', GATEWAY_PROVIDERS: 'gl', GATEWAY_PROVIDER_GL_PRESET: 'gitlab', GATEWAY_PROVIDER_GL_CLIENT_ID: 'x', GATEWAY_PROVIDER_GL_USERNAME_CLAIM: 'prefix(nickname)' }).GATEWAY_PROVIDER_GL_USERNAME_CLAIM).toMatch(/second argument/);
  });
});

describe('sign-in quirks', () => {
  const google = ok({ OIDC_PRESET: 'google', OIDC_CLIENT_ID: 'x', OIDC_HOSTED_DOMAIN: 'example.com' }).providers[0]!;
  const ctx = (idTokenClaims: Record<string, unknown>) => ({ preset: 'google', hostedDomains: google.hostedDomains, graphUrl: undefined, idTokenClaims, claims: { ...idTokenClaims }, accessToken: 'at' });

  it('Google: hd is sent as a hint and checked on the ID token', async () => {
    expect(extraAuthorizationParams('google', ['example.com'])).toEqual({ hd: 'example.com' });
    expect(extraAuthorizationParams('okta', ['example.com'])).toEqual({});
    expect(await refusal(applySignInQuirks(ctx({ hd: 'example.com' })))).toBe('none');
    expect(await refusal(applySignInQuirks(ctx({ hd: 'evil.com' })))).toBe('GW_FORBIDDEN_DOMAIN');
    // A consumer account has no hd; userinfo saying otherwise does not count.
    expect(await refusal(applySignInQuirks({ ...ctx({}), claims: { hd: 'example.com' } }))).toBe('GW_FORBIDDEN_DOMAIN');
  });

  it('Google: bearer ID tokens meet the same hosted-domain rule', async () => {
    const claims = { iss: 'https://accounts.google.com', sub: '1', email: 'a@gmail.com', email_verified: true };
    expect(await refusal(() => identityFromClaims(google, claims))).toBe('GW_FORBIDDEN_DOMAIN');
    expect(await refusal(() => identityFromClaims(google, { ...claims, email: 'a@example.com', hd: 'example.com' }))).toBe('none');
  });
});
