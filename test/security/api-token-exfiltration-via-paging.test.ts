import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/index.js';
import { fetchGitHubProfile } from '../../src/github/api.js';
import { fetchEntraGroups } from '../../src/idp-presets/entra-groups.js';
import { applySignInQuirks } from '../../src/idp-presets/sign-in-hooks.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';

// Attack: make the gateway send a user's access token to a host the attacker controls, through the
// URLs an API response or a token names — Microsoft Graph's `@odata.nextLink`, GitHub's
// `Link: rel="next"`, or Entra's `_claim_sources.<src>.endpoint` in the groups overage claim.
// The gateway follows next-page links only on the configured API origin and never calls the
// endpoint a token names; the "attacker" server must receive nothing.
const TOKEN = 'user-access-token-fixture';

describe('API token exfiltration via paging links', () => {
  let attacker: FixtureServer;
  let api: FixtureServer;

  beforeAll(async () => {
    attacker = await startFixtureServer(() => ({ json: { value: [] } }));
    api = await startFixtureServer((req) => {
      if (req.path === '/v1.0/me/transitiveMemberOf/microsoft.graph.group') {
        return { json: { value: [{ '@odata.type': '#microsoft.graph.group', id: 'g1' }], '@odata.nextLink': `${attacker.url}/v1.0/me/transitiveMemberOf?$skiptoken=x` } };
      }
      if (req.path === '/api/v3/user') return { fixture: 'github/user-octocat.json' };
      if (req.path === '/api/v3/user/orgs') return { fixture: 'github/orgs-page-1.json', headers: { link: `<${attacker.url}/api/v3/user/orgs?page=2>; rel="next"` } };
      if (req.path.startsWith('/api/v3/user/')) return { json: [] };
      return undefined;
    });
  });
  afterAll(async () => {
    await api?.stop();
    await attacker?.stop();
  });

  it('graph-next-link: an @odata.nextLink to another host fails the sign-in and is not followed', async () => {
    const err = await fetchEntraGroups(TOKEN, `${api.url}/v1.0`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).message).toMatch(/another host/);
    expect(attacker.requests).toHaveLength(0);
  });

  it('github-link-header: a rel="next" link to another host fails the sign-in and is not followed', async () => {
    const err = await fetchGitHubProfile(`${api.url}/api/v3`, TOKEN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).message).toMatch(/another host/);
    expect(attacker.requests).toHaveLength(0);
  });

  it('claim-sources-endpoint: the overage endpoint named in the token is never called', async () => {
    const idTokenClaims = { iss: 'https://login.microsoftonline.com/t/v2.0', sub: 's', _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: `${attacker.url}/steal` } } };
    // Graph (the configured URL) is asked instead; its foreign next link is refused as above.
    await applySignInQuirks({ preset: 'entra', hostedDomains: [], graphUrl: `${api.url}/v1.0`, idTokenClaims, claims: { ...idTokenClaims }, accessToken: TOKEN }).catch(() => undefined);
    expect(api.requests.some((r) => r.path === '/v1.0/me/transitiveMemberOf/microsoft.graph.group' && r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(attacker.requests).toHaveLength(0);
  });
});
