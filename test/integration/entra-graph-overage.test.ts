import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/index.js';
import { fetchEntraGroups, hasGroupsOverage } from '../../src/idp-presets/entra-groups.js';
import { applySignInQuirks } from '../../src/idp-presets/sign-in-hooks.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';

// Microsoft Graph answered by fixtures written from its public documentation (test/fixtures/graph/README.md),
// through the gateway's production client pointed at a local base URL.
const ACCESS_TOKEN = 'graph-access-token-fixture';

describe('Entra ID groups overage through Microsoft Graph', () => {
  let graph: FixtureServer;
  let mode: 'ok' | 'forbidden' = 'ok';

  beforeAll(async () => {
    graph = await startFixtureServer((req) => {
      if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return { status: 401, json: { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } } };
      if (req.path !== '/v1.0/me/transitiveMemberOf/microsoft.graph.group') return undefined;
      if (mode === 'forbidden') return { status: 403, fixture: 'graph/error-forbidden.json' };
      return { fixture: req.query.has('$skiptoken') ? 'graph/transitive-member-of-page-2.json' : 'graph/transitive-member-of-page-1.json' };
    });
  });
  afterAll(async () => graph.stop());

  it('recognises the overage signals', () => {
    expect(hasGroupsOverage({ _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.windows.net/x' } } })).toBe(true);
    expect(hasGroupsOverage({ hasgroups: true })).toBe(true);
    expect(hasGroupsOverage({ groups: ['a'] })).toBe(false);
  });

  it('reads every group over two pages with the access token', async () => {
    mode = 'ok';
    graph.requests.length = 0;
    const groups = await fetchEntraGroups(ACCESS_TOKEN, `${graph.url}/v1.0`);
    expect(groups).toEqual(['11111111-2222-3333-4444-555555555555', '02bd9fd6-8f93-4758-87c3-1fb73740a315', 'e8c6a2f1-5d3b-4a7e-9c0d-2b1f3e4a5c6d']);
    expect(graph.requests).toHaveLength(2);
    expect(graph.requests[1]!.query.get('$skiptoken')).toBe('RFNwdAIAAQAAAD8');
  });

  it('fails closed when Graph refuses, naming the missing permission', async () => {
    mode = 'forbidden';
    const err = await fetchEntraGroups(ACCESS_TOKEN, `${graph.url}/v1.0`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).message).toMatch(/403.*GroupMember\.Read\.All/);
  });
});

describe('Entra ID preset at sign-in: overage resolved before the identity is mapped', () => {
  it('replaces the missing groups claim with the Graph memberships; other presets never call Graph', async () => {
    const graph = await startFixtureServer((req) =>
      req.headers.authorization === `Bearer ${ACCESS_TOKEN}` ? { fixture: req.query.has('$skiptoken') ? 'graph/transitive-member-of-page-2.json' : 'graph/transitive-member-of-page-1.json' } : { status: 401 });
    try {
      const idTokenClaims = { iss: 'https://login.microsoftonline.com/t/v2.0', sub: 's', _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://attacker.example/groups' } } };
      const ctx = { hostedDomains: [], graphUrl: `${graph.url}/v1.0`, idTokenClaims, claims: { ...idTokenClaims }, accessToken: ACCESS_TOKEN };
      const claims = await applySignInQuirks({ ...ctx, preset: 'entra' });
      expect(claims.groups).toHaveLength(3);
      expect(graph.requests).toHaveLength(2);
      expect(await applySignInQuirks({ ...ctx, preset: 'okta' })).not.toHaveProperty('groups');
      expect(graph.requests).toHaveLength(2);
    } finally {
      await graph.stop();
    }
  });
});
