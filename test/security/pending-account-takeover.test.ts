import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type DemoUser } from '../../src/devtools/idp/index.js';
import { adminApi } from '../support/admin-api.js';
import { HttpBrowser } from '../support/http-browser.js';
import { startStack, type Stack } from '../support/stack.js';

// Attack: take over an account a manager shared with ahead of its owner's first sign-in. alice
// shares experiment 701 with dave@example.com before dave ever signed in. mallory's IdP account
// claims dave's email unverified; "squatter" has dave's email as its username claim (unverified
// email). Neither may join the pending account or get its grant; dave (verified) does.
describe('pending account takeover', () => {
  let stack: Stack;
  const extra: DemoUser[] = [
    { username: 'dave', password: 'dave-pass', email: 'dave@example.com', name: 'Dave', groups: [] },
    { username: 'mallory', password: 'mallory-pass', email: 'dave@example.com', emailVerified: false, name: 'Mallory', groups: [] },
    { username: 'dave@example.com', password: 'squat-pass', email: 'squat@example.com', emailVerified: false, name: 'Squatter', groups: [] },
  ];
  beforeAll(async () => {
    stack = await startStack({ idp: { users: [...DEMO_USERS, ...extra] } });
    const aliceToken = (await stack.idp.getTokens('alice')).access_token;
    await adminApi(stack, 'GET', 'whoami', { token: aliceToken });
    const alice = await stack.server.gateway.store.users.getByUsername('alice');
    await stack.server.gateway.store.grants.set({ principalType: 'user', principal: alice!.id, resourceType: 'experiment', resourceId: '701', level: 'MANAGE' });
    const shared = await adminApi(stack, 'PUT', 'grants', { token: aliceToken, body: { principal_type: 'user', principal: 'dave@example.com', resource_type: 'experiment', resource_id: '701', level: 'EDIT' } });
    expect(shared.status, JSON.stringify(shared.json)).toBe(200);
  });
  afterAll(async () => stack?.stop());

  const store = () => stack.server.gateway.store;
  const signInAs = async (u: DemoUser) => {
    const browser = new HttpBrowser();
    const page = await browser.follow(`${stack.gatewayUrl}/`);
    const result = await browser.submitForm(page.url, await page.response.text(), { username: u.username, password: u.password });
    return { browser, status: result.response.status, signedIn: browser.cookie(stack.origin, stack.config.cookieName) !== undefined };
  };
  const pending = () => store().users.getByUsername('dave@example.com');
  const editors = async () => (await store().grants.listForResource('experiment', '701')).filter((g) => g.level === 'EDIT').map((g) => g.principal);

  it('unverified-email: mallory, claiming dave\'s email unverified, gets an account of her own without the grant', async () => {
    const before = await pending();
    const mallory = await signInAs(extra[1]!);
    expect(mallory.signedIn).toBe(true);
    const account = await store().users.getByUsername('mallory');
    expect(account?.id).not.toBe(before!.id);
    expect(await editors()).toEqual([before!.id]);
    expect((await pending())?.lastLoginAt).toBeNull();
  });

  it('username-equals-email: a username claim naming the pending account does not take it over', async () => {
    const squatter = await signInAs(extra[2]!);
    expect(squatter.signedIn).toBe(false);
    expect(squatter.status).toBe(409);
    expect((await pending())?.subjectKey).toMatch(/^ahead-of-sign-in email:/);
  });

  it('dave signs in with the email verified: he joins the account, gets the grant, and the join is audited', async () => {
    const id = (await pending())!.id;
    const dave = await signInAs(extra[0]!);
    expect(dave.signedIn).toBe(true);
    const account = await store().users.getByUsername('dave');
    expect(account?.id).toBe(id);
    expect(await editors()).toEqual([id]);
    const linked = await store().audit.list({ limit: 5, action: 'account.linked' });
    expect(linked[0]).toMatchObject({ actor: 'dave', resource: 'user:dave', reason: expect.stringContaining('verified email dave@example.com') });
  });
});
