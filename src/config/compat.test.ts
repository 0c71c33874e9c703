import { describe, expect, it } from 'vitest';
import { FOREIGN_SETTINGS } from './compat.js';
import { loadConfig } from './load.js';
import { SCHEMA } from './schema.js';
import type { FieldSpec } from './types.js';

const MIN = {
  MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:5000',
  GATEWAY_PUBLIC_URL: 'https://ml.example.com',
  GATEWAY_SECRET: 'x'.repeat(40),
  OIDC_ISSUER: 'https://idp.example.com/realms/main',
  OIDC_CLIENT_ID: 'mlflow',
};

/** An mlflow-oidc-auth value for each alias, and what the gateway setting becomes. */
const SAMPLES: Record<string, { value: string; expected: unknown }> = {
  OIDC_DISCOVERY_URL: { value: 'https://idp.example.com/realms/other/.well-known/openid-configuration', expected: 'https://idp.example.com/realms/other' },
  OIDC_SCOPE: { value: 'openid,email,groups', expected: ['openid', 'email', 'groups'] },
  OIDC_GROUP_NAME: { value: 'mlflow', expected: ['mlflow'] },
  OIDC_ADMIN_GROUP_NAME: { value: 'mlflow-admin', expected: ['mlflow-admin'] },
  OIDC_USERNAME_FIELD: { value: 'email,preferred_username', expected: 'email,preferred_username' },
  OIDC_GROUPS_ATTRIBUTE: { value: 'roles', expected: 'roles' },
  OIDC_JWKS_CACHE_TTL_SECONDS: { value: '300', expected: 300 },
  OIDC_USERS_DB_URI: { value: 'sqlite:./auth.db', expected: 'sqlite:./auth.db' },
  SECRET_KEY: { value: 'k'.repeat(48), expected: 'k'.repeat(48) },
  SESSION_COOKIE_NAME: { value: 'session', expected: 'session' },
  SESSION_COOKIE_MAX_AGE_SECONDS: { value: '1209600', expected: 1209600 },
  DEFAULT_MLFLOW_PERMISSION: { value: 'READ', expected: 'READ' },
  TRUSTED_PROXIES: { value: '10.0.0.0/8', expected: ['10.0.0.0/8'] },
};

const aliased = Object.entries(SCHEMA as Record<string, FieldSpec>).flatMap(([key, spec]) => (spec.aliases ?? []).map((alias) => ({ key, alias, env: spec.env })));

describe('mlflow-oidc-auth settings', () => {
  it('has a sample for every alias in the schema', () => {
    expect(aliased.map((a) => a.alias).sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each(aliased)('$alias is read as $env, with a notice naming the new name', ({ key, alias, env }) => {
    const sample = SAMPLES[alias]!;
    const without = Object.fromEntries(Object.entries(MIN).filter(([k]) => k !== env));
    const r = loadConfig({ ...without, [alias]: sample.value });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect((r.config as Record<string, unknown>)[key]).toEqual(sample.expected);
    expect(r.notices).toContain(`${alias} is read as ${env}; rename it (the old name is accepted for compatibility).`);
  });

  it('the new name wins over the alias', () => {
    const r = loadConfig({ ...MIN, OIDC_GROUPS_CLAIM: 'groups', OIDC_GROUPS_ATTRIBUTE: 'roles' });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.groupsClaim).toBe('groups');
  });

  it('settings with the same name here need no notice', () => {
    const r = loadConfig({ ...MIN, OIDC_CLIENT_SECRET: 's3cret', OIDC_PROVIDER_DISPLAY_NAME: 'Corp SSO', LOG_LEVEL: 'DEBUG', OIDC_REDIRECT_URI: 'https://ml.example.com/_gateway/callback', OIDC_AUDIENCE: 'mlflow' });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.providerDisplayName).toBe('Corp SSO');
    expect(r.config.logLevel).toBe('debug');
    expect(r.notices).toEqual([]);
  });

  it('ignores settings without meaning here, saying why', () => {
    const r = loadConfig({ ...MIN, OIDC_USE_REFRESH_TOKEN: 'true', OIDC_CODE_CHALLENGE: 'S256', OIDC_VERIFY_SSL: 'true', CACHE_BACKEND: 'redis' });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.notices).toEqual(expect.arrayContaining([
      expect.stringMatching(/^OIDC_USE_REFRESH_TOKEN \(mlflow-oidc-auth\) is ignored: the gateway always refreshes/),
      expect.stringMatching(/^OIDC_CODE_CHALLENGE .* PKCE with S256 is always used/),
      expect.stringMatching(/^OIDC_VERIFY_SSL .* always verified/),
      expect.stringMatching(/^CACHE_BACKEND .* ignored/),
    ]));
  });

  it('refuses settings that would weaken or silently change behaviour', () => {
    const r = loadConfig({ ...MIN, OIDC_VERIFY_SSL: 'false', OIDC_CODE_CHALLENGE: 'none', OIDC_GROUP_DETECTION_PLUGIN: 'my_company.groups', AUTH_PROVIDERS: '[]' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byEnv = Object.fromEntries(r.problems.map((p) => [p.env, p.message]));
    expect(byEnv.OIDC_VERIFY_SSL).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(byEnv.OIDC_CODE_CHALLENGE).toMatch(/PKCE .* cannot be turned off/);
    expect(byEnv.OIDC_GROUP_DETECTION_PLUGIN).toMatch(/Python group plugins cannot run/);
    expect(byEnv.AUTH_PROVIDERS).toMatch(/GATEWAY_PROVIDERS/);
  });

  it('points the bundled Entra ID group plugin to the entra preset', () => {
    const r = loadConfig({ ...MIN, OIDC_GROUP_DETECTION_PLUGIN: 'mlflow_oidc_auth.plugins.group_detection_microsoft_entra_id' });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.notices.join('\n')).toMatch(/entra preset/);
  });

  it('refuses OIDC_DISCOVERY_URL and OIDC_ISSUER naming different issuers; the same one is fine', () => {
    const differ = loadConfig({ ...MIN, OIDC_DISCOVERY_URL: 'https://other.example.com/.well-known/openid-configuration' });
    expect(differ.ok).toBe(false);
    if (!differ.ok) expect(differ.problems.find((p) => p.env === 'OIDC_DISCOVERY_URL')?.message).toMatch(/one issuer serves sign-in and bearer tokens/);
    expect(loadConfig({ ...MIN, OIDC_DISCOVERY_URL: `${MIN.OIDC_ISSUER}/.well-known/openid-configuration` }).ok).toBe(true);
  });

  it('never names a setting twice (alias and foreign)', () => {
    const aliases = new Set(aliased.map((a) => a.alias));
    expect(FOREIGN_SETTINGS.filter((f) => aliases.has(f.name))).toEqual([]);
  });
});
