import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/devtools/idp/index.js';
import { HttpBrowser } from '../support/http-browser.js';
import { scim, scimToken } from '../support/scim.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

// Attack: take over an account provisioned by SCIM before its owner signed in. Only identities of
// the provisioning provider join provisioned accounts; a same-named identity of another provider is
// refused; an ambiguous match is refused; an unverified email never matches.
describe('provisioned account takeover', () => {
  let byName: Stack; // GATEWAY_SCIM_LINK_BY=userName, provisioning provider "oidc", second provider "partner"
  let byEmail: Stack; // GATEWAY_SCIM_LINK_BY=email, bob's email unverified at the IdP
  beforeAll(async () => {
    [byName, byEmail] = await Promise.all([
      startStack({ extraProviders: [{ id: 'partner' }] }),
      startStack({ env: { GATEWAY_SCIM_LINK_BY: 'email' }, idp: { users: DEMO_USERS.map((u) => (u.username === 'bob' ? { ...u, emailVerified: false } : u)) } }),
    ]);
  });
  afterAll(async () => Promise.all([byName?.stop(), byEmail?.stop()]));

  const signedIn = (s: Stack, b: HttpBrowser) => b.cookie(s.origin, s.config.cookieName) !== undefined;
  const provision = async (s: Stack, body: Record<string, unknown>) => {
    const { token } = await scimToken(s);
    const res = await scim(s, token, 'POST', '/Users', { schemas: [USER], ...body });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return res.json.id as string;
  };

  it('other-provider-same-username: alice at the partner IdP does not join the provisioned alice; alice at the provisioning IdP does', async () => {
    const id = await provision(byName, { userName: 'alice', emails: [{ value: 'alice@example.com', primary: true }] });
    const partner = await signIn(byName, 'alice', '/', new HttpBrowser(), 'partner');
    expect(signedIn(byName, partner.browser)).toBe(false);
    expect((await byName.server.gateway.store.scim.getUser(id))?.linkedAt).toBeNull();
    const own = await signIn(byName, 'alice', '/', new HttpBrowser(), 'oidc');
    expect(signedIn(byName, own.browser)).toBe(true);
    expect((await byName.server.gateway.store.users.findBySubject(`${byName.idp.issuer}#user-alice`))?.id).toBe(id);
  });

  it('ambiguous-email: two provisioned accounts with carol\'s email: her sign-in is refused and audited, no account is joined', async () => {
    await provision(byEmail, { userName: 'carol.one', emails: [{ value: 'carol@example.com', primary: true }] });
    await provision(byEmail, { userName: 'carol.two', emails: [{ value: 'Carol@Example.com', primary: true }] });
    const { browser, result } = await signIn(byEmail, 'carol');
    expect(signedIn(byEmail, browser)).toBe(false);
    expect(result.response.status).toBe(409);
    const refused = await byEmail.server.gateway.store.audit.list({ limit: 5, action: 'login.failed' });
    expect(refused[0]?.reason).toMatch(/Several provisioned accounts match/);
    expect((await byEmail.server.gateway.store.scim.listUsers()).every((u) => u.linkedAt === null)).toBe(true);
  });

  it('unverified-email: bob\'s unverified email does not join the account provisioned with it', async () => {
    const id = await provision(byEmail, { userName: 'robert', emails: [{ value: 'bob@example.com', primary: true }] });
    await signIn(byEmail, 'bob');
    expect((await byEmail.server.gateway.store.scim.getUser(id))?.linkedAt).toBeNull();
    expect((await byEmail.server.gateway.store.users.getByUsername('bob'))?.id).not.toBe(id);
  });

  it('deprovisioned-before-sign-in: a person provisioned inactive cannot sign in', async () => {
    await provision(byName, { userName: 'carol', active: false });
    const { browser, result } = await signIn(byName, 'carol', '/', new HttpBrowser(), 'oidc');
    expect(signedIn(byName, browser)).toBe(false);
    expect(result.response.status).toBe(403);
  });
});
