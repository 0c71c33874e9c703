import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';

const BASE = { MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:5000', GATEWAY_PUBLIC_URL: 'https://ml.example.com/mlflow', GATEWAY_SECRET: 'x'.repeat(40) };
const LEGACY = { OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'mlflow' };

function ok(env: Record<string, string>, file?: string) {
  const r = loadConfig({ ...BASE, ...env }, file);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

function problems(env: Record<string, string>, file?: string): Record<string, string> {
  const r = loadConfig({ ...BASE, ...env }, file);
  if (r.ok) throw new Error('expected problems');
  return Object.fromEntries(r.problems.map((p) => [p.env, p.message]));
}

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-providers-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

describe('provider configuration', () => {
  it('turns the classic OIDC_* settings into the single provider oidc, with the classic callback', () => {
    const config = ok(LEGACY);
    expect(config.providers).toHaveLength(1);
    expect(config.providers[0]).toMatchObject({
      id: 'oidc', displayName: 'Single sign-on', kind: 'oidc', issuer: 'https://idp.example.com', clientId: 'mlflow',
      redirectUri: 'https://ml.example.com/mlflow/_gateway/callback', callbackPath: '/_gateway/callback', audience: ['mlflow'],
      claims: { username: 'preferred_username,email', email: 'email', groups: 'groups' }, linkByEmail: false,
    });
    expect(Object.isFrozen(config.providers[0])).toBe(true);
  });

  it('adds providers from GATEWAY_PROVIDERS and GATEWAY_PROVIDER_<ID>_* after the OIDC_* one', () => {
    const config = ok({
      ...LEGACY, GATEWAY_PROVIDERS: 'partner-idp', GATEWAY_PROVIDER_PARTNER_IDP_ISSUER: 'https://partner.example.com/.well-known/openid-configuration',
      GATEWAY_PROVIDER_PARTNER_IDP_CLIENT_ID: 'gw', GATEWAY_PROVIDER_PARTNER_IDP_DISPLAY_NAME: 'Partner login', GATEWAY_PROVIDER_PARTNER_IDP_ALLOWED_GROUPS: 'contractors',
      GATEWAY_PROVIDER_PARTNER_IDP_LINK_BY_EMAIL: 'true', GATEWAY_PROVIDER_PARTNER_IDP_ALGORITHMS: 'ES256',
    });
    expect(config.providers.map((p) => p.id)).toEqual(['oidc', 'partner-idp']);
    expect(config.providers[1]).toMatchObject({
      displayName: 'Partner login', issuer: 'https://partner.example.com', redirectUri: 'https://ml.example.com/mlflow/_gateway/callback/partner-idp',
      callbackPath: '/_gateway/callback/partner-idp', allowedGroups: ['contractors'], linkByEmail: true, algorithms: ['ES256'], audience: ['gw'],
      scopes: ['openid', 'profile', 'email'], adminGroups: [],
    });
  });

  it('reads providers from the YAML providers: list, variables winning over the file', () => {
    const file = yamlFile(`providers:
  - id: entra
    displayName: Employees
    issuer: https://login.example.com/tenant/v2.0
    clientId: entra-client
    clientSecret: from-file
    groupsClaim: roles
  - id: partners
    issuer: https://partners.example.com
    clientId: p
    audience: [api://gw, p]
`);
    const config = ok({ GATEWAY_PROVIDER_ENTRA_CLIENT_SECRET: 'from-env' }, file);
    expect(config.providers.map((p) => [p.id, p.displayName, p.callbackPath])).toEqual([
      ['entra', 'Employees', '/_gateway/callback'], ['partners', 'partners', '/_gateway/callback/partners'],
    ]);
    expect(config.providers[0]!.clientSecret).toBe('from-env');
    expect(config.providers[0]!.claims.groups).toBe('roles');
    expect(config.providers[1]!.audience).toEqual(['api://gw', 'p']);
  });

  it('reports bad ids, duplicates, missing issuers, shared issuers and stray variables precisely', () => {
    expect(problems({ GATEWAY_PROVIDERS: 'Bad_Id' }).GATEWAY_PROVIDERS).toMatch(/"Bad_Id" must be a slug/);
    expect(problems({ ...LEGACY, GATEWAY_PROVIDERS: 'a,a', GATEWAY_PROVIDER_A_ISSUER: 'https://a.example', GATEWAY_PROVIDER_A_CLIENT_ID: 'x' }).GATEWAY_PROVIDERS).toMatch(/listed twice/);
    const missing = problems({ GATEWAY_PROVIDERS: 'b', GATEWAY_PROVIDER_B_CLIENT_ID: 'x' });
    expect(missing.GATEWAY_PROVIDER_B_ISSUER).toMatch(/is required for provider b/);
    const shared = problems({ ...LEGACY, GATEWAY_PROVIDERS: 'c', GATEWAY_PROVIDER_C_ISSUER: 'https://idp.example.com', GATEWAY_PROVIDER_C_CLIENT_ID: 'x' });
    expect(shared['GATEWAY_PROVIDER_C_*']).toMatch(/same issuer as provider oidc/);
    const stray = problems({ ...LEGACY, GATEWAY_PROVIDER_D_ISSUER: 'https://d.example', GATEWAY_PROVIDERS: 'e', GATEWAY_PROVIDER_E_ISSUER: 'https://e.example', GATEWAY_PROVIDER_E_CLIENT_ID: 'x', GATEWAY_PROVIDER_E_CLIENTID: 'y' });
    expect(Object.keys(stray).sort()).toEqual(['GATEWAY_PROVIDER_D_ISSUER', 'GATEWAY_PROVIDER_E_CLIENTID']);
    const weak = problems({ ...LEGACY, GATEWAY_PROVIDERS: 'f', GATEWAY_PROVIDER_F_ISSUER: 'http://f.example', GATEWAY_PROVIDER_F_CLIENT_ID: 'x', GATEWAY_PROVIDER_F_ALGORITHMS: 'HS256', GATEWAY_PROVIDER_F_REDIRECT_URI: 'https://ml.example.com/mlflow/_gateway/callback' });
    expect(weak).toMatchObject({
      GATEWAY_PROVIDER_F_ISSUER: expect.stringMatching(/https/), GATEWAY_PROVIDER_F_ALGORITHMS: expect.stringMatching(/HS256/),
      GATEWAY_PROVIDER_F_REDIRECT_URI: expect.stringMatching(/must be https:\/\/ml.example.com\/mlflow\/_gateway\/callback\/f/),
    });
    expect(problems({ GATEWAY_PROVIDERS: 'g', GATEWAY_PROVIDER_G_ISSUER: 'https://g.example', GATEWAY_PROVIDER_G_CLIENT_ID: 'x', GATEWAY_PROVIDER_G_PRESET: 'nope' }).GATEWAY_PROVIDER_G_PRESET).toMatch(/not a known preset/);
  });

  it('reports YAML entries without an id, with the reserved id, with unknown keys, or not listed in GATEWAY_PROVIDERS', () => {
    const file = yamlFile(`providers:
  - issuer: https://x.example
  - id: oidc
  - id: h
    issuer: https://h.example
    clientId: h
    clientID: typo
  - id: unlisted
    issuer: https://u.example
    clientId: u
`);
    const found = problems({ ...LEGACY, GATEWAY_PROVIDERS: 'h' }, file);
    expect(Object.keys(found).sort()).toEqual([`${file}: providers[0].id`, `${file}: providers[1].id`, `${file}: providers[2].clientID`, `${file}: providers[3]`].sort());
    expect(found[`${file}: providers[1].id`]).toMatch(/reserved/);
  });

  it('never shows client secrets of any provider in the redacted config', async () => {
    const { redactedConfig } = await import('../../config/index.js');
    const config = ok({ ...LEGACY, GATEWAY_PROVIDERS: 'k', GATEWAY_PROVIDER_K_ISSUER: 'https://k.example', GATEWAY_PROVIDER_K_CLIENT_ID: 'k', GATEWAY_PROVIDER_K_CLIENT_SECRET: 'very-secret-value' });
    expect(JSON.stringify(redactedConfig(config))).not.toContain('very-secret-value');
  });
});
