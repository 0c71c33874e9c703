import { describe, expect, it } from 'vitest';
import { loadConfig, redactedConfig } from './load.js';

const MIN = {
  MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:5000',
  GATEWAY_PUBLIC_URL: 'https://ml.example.com/mlflow/',
  GATEWAY_SECRET: 'x'.repeat(40),
  OIDC_ISSUER: 'https://idp.example.com/realms/main',
  OIDC_CLIENT_ID: 'mlflow',
};

describe('loadConfig', () => {
  it('refuses a metrics listener off loopback without a scrape token; loopback or a token is fine', () => {
    const open = loadConfig({ ...MIN, GATEWAY_METRICS_PORT: '9090', GATEWAY_METRICS_HOST: '0.0.0.0' });
    expect(open.ok).toBe(false);
    if (!open.ok) expect(open.problems.map((p) => p.env)).toEqual(['GATEWAY_METRICS_TOKEN']);
    expect(loadConfig({ ...MIN, GATEWAY_METRICS_PORT: '9090' }).ok).toBe(true);
    expect(loadConfig({ ...MIN, GATEWAY_METRICS_PORT: '9090', GATEWAY_METRICS_HOST: '0.0.0.0', GATEWAY_METRICS_TOKEN: 't'.repeat(20) }).ok).toBe(true);
    const short = loadConfig({ ...MIN, GATEWAY_METRICS_TOKEN: 'short' });
    expect(short.ok).toBe(false);
  });

  it('checks the SCIM settings: link attribute, group source, and a provisioning provider that exists', () => {
    const ok = loadConfig({ ...MIN, GATEWAY_SCIM_LINK_BY: 'externalId', GATEWAY_SCIM_EXTERNAL_ID_CLAIM: 'oid', GATEWAY_SCIM_GROUP_SOURCE: 'both', GATEWAY_SCIM_PROVIDER: 'oidc' });
    expect(ok.ok && { by: ok.config.scimLinkBy, claim: ok.config.scimExternalIdClaim, source: ok.config.scimGroupSource }).toEqual({ by: 'externalId', claim: 'oid', source: 'both' });
    const defaults = loadConfig(MIN);
    expect(defaults.ok && [defaults.config.scimLinkBy, defaults.config.scimGroupSource, defaults.config.scimProvider]).toEqual(['userName', 'claims', undefined]);
    const bad = loadConfig({ ...MIN, GATEWAY_SCIM_LINK_BY: 'mail', GATEWAY_SCIM_GROUP_SOURCE: 'idp', GATEWAY_SCIM_PROVIDER: 'entra' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.env).sort()).toEqual(['GATEWAY_SCIM_GROUP_SOURCE', 'GATEWAY_SCIM_LINK_BY', 'GATEWAY_SCIM_PROVIDER']);
  });

  it('applies defaults, derives the mount path, and freezes the result', () => {
    const r = loadConfig(MIN);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.basePath).toBe('/mlflow');
    expect(r.config.publicUrl).toBe('https://ml.example.com/mlflow');
    expect(r.config.redirectUri).toBe('https://ml.example.com/mlflow/_gateway/callback');
    expect(r.config.audience).toEqual(['mlflow']);
    expect(r.config.secureCookies).toBe(true);
    expect(r.config.defaultPermission).toBe('NO_PERMISSIONS');
    expect(r.config.upstreamTimeout).toBe(60);
    expect(r.config.usernameClaim).toBe('preferred_username,email');
    expect(Object.isFrozen(r.config)).toBe(true);
    expect(Object.isFrozen(r.config.scopes)).toBe(true);
  });

  it('reports every problem at once, naming the variable and the fix', () => {
    const r = loadConfig({ GATEWAY_PORT: 'eighty', GATEWAY_SECRET: 'short', OIDC_ALGORITHMS: 'RS256,HS256', GATEWAY_UPSTREAM_TIMEOUT: 'soon' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byEnv = Object.fromEntries(r.problems.map((p) => [p.env, p.message]));
    expect(byEnv.MLFLOW_UPSTREAM_URL).toMatch(/required/);
    expect(byEnv.GATEWAY_PUBLIC_URL).toMatch(/required/);
    expect(byEnv.OIDC_ISSUER).toMatch(/required/);
    expect(byEnv.OIDC_CLIENT_ID).toMatch(/required/);
    expect(byEnv.GATEWAY_PORT).toMatch(/whole number/);
    expect(byEnv.GATEWAY_SECRET).toMatch(/at least 32 characters/);
    expect(byEnv.GATEWAY_UPSTREAM_TIMEOUT).toMatch(/duration/);
  });

  it('refuses symmetric and none algorithms for bearer tokens', () => {
    const r = loadConfig({ ...MIN, OIDC_ALGORITHMS: 'RS256,HS256,none' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ env: 'OIDC_ALGORITHMS', message: expect.stringMatching(/HS256, none/) });
  });

  it('refuses plain http for public URL and issuer except on loopback', () => {
    const r = loadConfig({ ...MIN, GATEWAY_PUBLIC_URL: 'http://ml.example.com', OIDC_ISSUER: 'http://idp.example.com' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.env).sort()).toEqual(['GATEWAY_PUBLIC_URL', 'OIDC_ISSUER']);
    const local = loadConfig({ ...MIN, GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080', OIDC_ISSUER: 'http://localhost:9000' });
    expect(local.ok).toBe(true);
    if (local.ok) expect(local.notices.join()).toMatch(/plain http on loopback/);
  });

  it('accepts mlflow-oidc-auth names as aliases with a notice, and a discovery URL as issuer', () => {
    const { OIDC_ISSUER: _i, GATEWAY_SECRET: _s, ...rest } = MIN;
    const r = loadConfig({ ...rest, OIDC_DISCOVERY_URL: 'https://idp.example.com/realms/main/.well-known/openid-configuration', SECRET_KEY: 'y'.repeat(40), OIDC_SCOPE: 'openid,email,groups', OIDC_ADMIN_GROUP_NAME: 'admins' });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.issuer).toBe('https://idp.example.com/realms/main');
    expect(r.config.scopes).toEqual(['openid', 'email', 'groups']);
    expect(r.config.adminGroups).toEqual(['admins']);
    expect(r.notices.some((n) => n.startsWith('OIDC_DISCOVERY_URL is read as OIDC_ISSUER'))).toBe(true);
  });

  it('reads claim settings as mapping expressions, the old space-separated list form included', () => {
    const r = loadConfig({ ...MIN, OIDC_USERNAME_CLAIM: 'nickname  email', OIDC_GROUPS_CLAIM: 'realm_access.roles + groups' });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.usernameClaim).toBe('nickname,email');
    expect(r.config.providers[0]!.claims).toMatchObject({ username: 'nickname,email', groups: 'realm_access.roles + groups' });
  });

  it('only accepts the gateway\'s own callback as redirect URI', () => {
    const r = loadConfig({ ...MIN, OIDC_REDIRECT_URI: 'https://evil.example.com/cb' });
    expect(r.ok).toBe(false);
  });

  it('reports cross-setting problems in the same run as single-setting ones', () => {
    const r = loadConfig({ ...MIN, GATEWAY_PORT: 'eighty', GATEWAY_PUBLIC_URL: 'http://ml.example.com', OIDC_ALGORITHMS: 'RS256,HS256' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.env).sort()).toEqual(['GATEWAY_PORT', 'GATEWAY_PUBLIC_URL', 'OIDC_ALGORITHMS']);
  });

  it('redacts secrets and passwords inside URLs for display', () => {
    const r = loadConfig({ ...MIN, OIDC_CLIENT_SECRET: 'client-secret-value', GATEWAY_DATABASE_URL: 'postgres://gw:db-password@db.internal:5432/gateway' });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const shown = JSON.stringify(redactedConfig(r.config));
    expect(shown).not.toContain('client-secret-value');
    expect(shown).not.toContain(MIN.GATEWAY_SECRET);
    expect(shown).not.toContain('db-password');
    expect(redactedConfig(r.config)).toMatchObject({ secret: '<set>', clientSecret: '<set>', databaseUrl: 'postgres://gw:redacted@db.internal:5432/gateway' });
  });
});
