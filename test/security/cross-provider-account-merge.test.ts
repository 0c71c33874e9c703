import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/devtools/idp/index.js';
import { HttpBrowser } from '../support/http-browser.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Attack: take over an account through another provider. Whoever controls an account named
// "alice" (or with alice's email) at a second IdP must not become the gateway's alice. Identities
// are (provider, subject); linking by verified email happens only where a provider enables it.
// Two real IdPs per stack: "oidc" and "partner", with the same demo user names.
describe('cross-provider account merge', () => {
  let separate: Stack; // partner without linkByEmail
  let linking: Stack; // partner with GATEWAY_PROVIDER_PARTNER_LINK_BY_EMAIL=true; carol's email unverified there
  beforeAll(async () => {
    const partnerUsers = DEMO_USERS.map((u) => (u.username === 'carol' ? { ...u, emailVerified: false } : u));
    [separate, linking] = await Promise.all([
      startStack({ extraProviders: [{ id: 'partner' }] }),
      startStack({ extraProviders: [{ id: 'partner', env: { GATEWAY_PROVIDER_PARTNER_LINK_BY_EMAIL: 'true' }, idp: { users: partnerUsers } }] }),
    ]);
  });
  afterAll(async () => Promise.all([separate?.stop(), linking?.stop()]));

  const session = (s: Stack, b: HttpBrowser) => b.cookie(s.origin, s.config.cookieName);
  const whoami = async (s: Stack, b: HttpBrowser) => (await b.get(`${s.gatewayUrl}/_gateway/api/v1/whoami`)).json() as Promise<Record<string, unknown>>;

  it('same-username-other-provider: alice at the partner IdP is refused (409 GW_CONFLICT), not signed in as alice', async () => {
    const first = await signIn(separate, 'alice', '/', new HttpBrowser(), 'oidc');
    expect(session(separate, first.browser)).toBeDefined();
    const owner = await separate.server.gateway.store.users.getByUsername('alice');

    const browser = new HttpBrowser();
    const { result } = await signIn(separate, 'alice', '/', browser, 'partner');
    expect(result.response.status).toBe(409);
    expect(await result.response.text()).toContain('GW_CONFLICT');
    expect(session(separate, browser)).toBeUndefined();
    expect(await separate.server.gateway.store.users.getByUsername('alice')).toMatchObject({ id: owner!.id, subjectKey: owner!.subjectKey, provider: 'oidc' });
    const failed = await separate.server.gateway.store.audit.list({ limit: 5, action: 'login.failed' });
    expect(failed[0]?.reason).toMatch(/^GW_CONFLICT: The username alice already belongs to another identity/);
  });

  it('same-username-other-provider-bearer: the partner\'s token for alice is refused the same way', async () => {
    const tokens = await separate.idps.partner!.getTokens('alice');
    const res = await fetch(`${separate.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_CONFLICT' });
  });

  it('link-by-verified-email: with linkByEmail on, alice at the partner signs in to the same account', async () => {
    const viaA = await signIn(linking, 'alice', '/', new HttpBrowser(), 'oidc');
    const account = await whoami(linking, viaA.browser);
    const viaB = await signIn(linking, 'alice', '/', new HttpBrowser(), 'partner');
    expect(session(linking, viaB.browser)).toBeDefined();
    expect(await whoami(linking, viaB.browser)).toEqual(account);
    const users = await linking.server.gateway.store.users.list({ search: 'alice' });
    expect(users).toHaveLength(1);
    expect(users[0]!.provider).toBe('partner');
    const logins = await linking.server.gateway.store.audit.list({ limit: 5, action: 'login', actor: 'alice' });
    expect(logins[0]?.reason).toBe('OIDC sign-in (partner, linked by verified email)');
  });

  it('no-link-without-verified-email: with linkByEmail on, an unverified email at the partner links nothing', async () => {
    await signIn(linking, 'carol', '/', new HttpBrowser(), 'oidc');
    const browser = new HttpBrowser();
    const { result } = await signIn(linking, 'carol', '/', browser, 'partner');
    expect(result.response.status).toBe(409);
    expect(session(linking, browser)).toBeUndefined();
    expect(await linking.server.gateway.store.users.list({ search: 'carol' })).toHaveLength(1);
  });
});
