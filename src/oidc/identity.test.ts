import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import { claimAt, identityFromClaims } from './identity.js';

function config(env: Record<string, string> = {}): Config {
  const r = loadConfig({
    MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:5000', GATEWAY_PUBLIC_URL: 'https://ml.example.com', GATEWAY_SECRET: 'x'.repeat(40),
    OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'mlflow', OIDC_ADMIN_GROUPS: 'mlflow-admins', ...env,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

const provider = (env: Record<string, string> = {}) => config(env).providers[0]!;

const claims = (over: Record<string, unknown> = {}) => ({
  iss: 'https://idp.example.com', sub: 's-1', preferred_username: 'alice', email: 'alice@example.com', name: 'Alice', groups: ['team-a'], ...over,
});

function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('identityFromClaims', () => {
  it('maps claims to an identity keyed by issuer and subject', () => {
    expect(identityFromClaims(provider(), claims())).toEqual({
      subjectKey: 'https://idp.example.com#s-1', username: 'alice', email: 'alice@example.com', displayName: 'Alice', groups: ['team-a'], isAdmin: false,
      provider: 'oidc', emailVerified: false, linkByEmail: false,
    });
  });

  it('lets everyone in when OIDC_ALLOWED_GROUPS is empty', () => {
    expect(identityFromClaims(provider(), claims({ groups: [] })).username).toBe('alice');
  });

  it('refuses a user outside OIDC_ALLOWED_GROUPS with GW_FORBIDDEN_GROUP naming the groups', () => {
    const err = refusal(() => identityFromClaims(provider({ OIDC_ALLOWED_GROUPS: 'team-b,team-c' }), claims()));
    expect(err.code).toBe('GW_FORBIDDEN_GROUP');
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/alice is not in a group allowed.*team-b, team-c/);
  });

  it('admits members of any allowed group, and administrators always', () => {
    const c = config({ OIDC_ALLOWED_GROUPS: 'team-b,team-c' });
    expect(identityFromClaims(c.providers[0]!, claims({ groups: ['team-x', 'team-c'] })).username).toBe('alice');
    const admin = identityFromClaims(c.providers[0]!, claims({ preferred_username: 'root', groups: ['mlflow-admins'] }));
    expect(admin.isAdmin).toBe(true);
  });

  it('reads groups from a dotted claim path or a comma-separated string', () => {
    const c = config({ OIDC_GROUPS_CLAIM: 'realm_access.roles', OIDC_ALLOWED_GROUPS: 'team-a' });
    expect(identityFromClaims(c.providers[0]!, claims({ groups: undefined, realm_access: { roles: ['team-a', 7, ''] } })).groups).toEqual(['team-a']);
    expect(identityFromClaims(provider(), claims({ groups: 'team-a, team-b' })).groups).toEqual(['team-a', 'team-b']);
    expect(claimAt({ 'https://example.com/groups': ['x'] }, 'https://example.com/groups')).toEqual(['x']);
  });

  it('falls back through the username claims and refuses an identity without one', () => {
    expect(identityFromClaims(provider(), claims({ preferred_username: undefined })).username).toBe('alice@example.com');
    const err = refusal(() => identityFromClaims(provider(), claims({ preferred_username: undefined, email: undefined })));
    expect(err.code).toBe('GW_INVALID_TOKEN');
    expect(err.message).toMatch(/OIDC_USERNAME_CLAIM/);
  });

  it('counts the email as verified only for email_verified: true, and reads it from the configured claim', () => {
    expect(identityFromClaims(provider(), claims({ email_verified: true })).emailVerified).toBe(true);
    expect(identityFromClaims(provider(), claims({ email_verified: 'true' })).emailVerified).toBe(false);
    const mapped = identityFromClaims(provider({ OIDC_EMAIL_CLAIM: 'contact.mail' }), claims({ contact: { mail: 'a@corp.example' } }));
    expect(mapped.email).toBe('a@corp.example');
  });

  it('refuses claims of another issuer than the provider\'s (no cross-provider identities)', () => {
    const err = refusal(() => identityFromClaims(provider(), claims({ iss: 'https://other.example.com' })));
    expect(err.code).toBe('GW_INVALID_TOKEN');
    expect(err.message).toMatch(/not by the identity provider oidc/);
  });

  it('refuses claims without issuer or subject', () => {
    expect(refusal(() => identityFromClaims(provider(), claims({ sub: '' }))).code).toBe('GW_INVALID_TOKEN');
    expect(refusal(() => identityFromClaims(provider(), claims({ iss: undefined }))).code).toBe('GW_INVALID_TOKEN');
  });
});
