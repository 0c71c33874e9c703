import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { scim, scimToken } from '../support/scim.js';
import { bearer, signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

// The SCIM 2.0 service provider against the real gateway, store and IdP: provisioning ahead of
// sign-in, linking at first sign-in, SCIM groups as group source, deprovisioning and reactivation.
describe('SCIM 2.0 provisioning', () => {
  let stack: Stack;
  let token: string;
  let admin: string;
  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_SCIM_GROUP_SOURCE: 'both', GATEWAY_SCIM_LINK_BY: 'userName' } });
    ({ token, admin } = await scimToken(stack));
  });
  afterAll(async () => stack?.stop());

  it('serves the discovery endpoints', async () => {
    const spc = await scim(stack, token, 'GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.headers.get('content-type')).toMatch(/application\/scim\+json/);
    expect(spc.json).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 200 }, etag: { supported: true }, bulk: { supported: false } });
    expect((await scim(stack, token, 'GET', '/ResourceTypes')).json.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    const schemas = await scim(stack, token, 'GET', '/Schemas');
    expect(schemas.json.Resources.map((s: { id: string }) => s.id)).toEqual([USER, ENTERPRISE, GROUP]);
    expect((await scim(stack, token, 'GET', `/Schemas/${ENTERPRISE}`)).status).toBe(200);
    expect((await scim(stack, token, 'GET', '/Bulk')).json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });

  it('creates a user ahead of sign-in, with the enterprise extension, and refuses a duplicate userName (uniqueness)', async () => {
    const created = await scim(stack, token, 'POST', '/Users', {
      schemas: [USER, ENTERPRISE], userName: 'alice', externalId: 'ext-alice', name: { givenName: 'Alice', familyName: 'Example' },
      emails: [{ value: 'alice@example.com', type: 'work', primary: true }], active: true,
      [ENTERPRISE]: { employeeNumber: '701', department: 'Research' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${stack.gatewayUrl}/_gateway/scim/v2/Users/${created.json.id}`);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.json).toMatchObject({ schemas: [USER, ENTERPRISE], userName: 'alice', externalId: 'ext-alice', active: true, [ENTERPRISE]: { employeeNumber: '701' }, meta: { resourceType: 'User', version: 'W/"1"' } });
    const dup = await scim(stack, token, 'POST', '/Users', { schemas: [USER], userName: 'ALICE' });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ scimType: 'uniqueness', status: '409' });
    // The account exists before the first sign-in: an administrator can already find it (and share with it).
    const account = await adminApi(stack, 'GET', 'users/alice', { token: admin });
    expect(account.status).toBe(200);
    expect(account.json.user).toMatchObject({ username: 'alice', email: 'alice@example.com' });
  });

  it('lists with filters, paging and attribute selection', async () => {
    for (const name of ['dave', 'erin', 'frank']) expect((await scim(stack, token, 'POST', '/Users', { schemas: [USER], userName: name, emails: [{ value: `${name}@corp.example`, type: 'work' }] })).status).toBe(201);
    const byName = await scim(stack, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "Alice"')}`);
    expect(byName.json).toMatchObject({ totalResults: 1, Resources: [{ userName: 'alice' }] });
    const complex = await scim(stack, token, 'GET', `/Users?filter=${encodeURIComponent('emails[type eq "work" and value ew "@corp.example"] and not (userName eq "erin")')}`);
    expect(complex.json.Resources.map((u: { userName: string }) => u.userName)).toEqual(['dave', 'frank']);
    const page = await scim(stack, token, 'GET', '/Users?startIndex=2&count=2&attributes=userName');
    expect(page.json).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
    expect(Object.keys(page.json.Resources[0]).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const excluded = await scim(stack, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "alice"')}&excludedAttributes=emails,name`);
    expect(excluded.json.Resources[0]).not.toHaveProperty('emails');
    expect(excluded.json.Resources[0]).toHaveProperty('userName');
    const bad = await scim(stack, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad.status).toBe(400);
    expect(bad.json.scimType).toBe('invalidFilter');
  });

  it('links the provisioned account at first sign-in and makes SCIM groups count (group source both)', async () => {
    const alice = (await scim(stack, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "alice"')}`)).json.Resources[0];
    const group = await scim(stack, token, 'POST', '/Groups', { schemas: [GROUP], displayName: 'scim-researchers', members: [{ value: alice.id }] });
    expect(group.status).toBe(201);
    expect(group.json.members).toEqual([expect.objectContaining({ value: alice.id, display: 'alice' })]);
    const { browser } = await signIn(stack, 'alice');
    const me = (await (await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' })).json()) as { username: string; groups: string[] };
    expect(me).toMatchObject({ username: 'alice' });
    expect([...me.groups].sort()).toEqual(['scim-researchers', 'team-a']); // SCIM's and the IdP's
    const account = await stack.server.gateway.store.users.getByUsername('alice');
    expect(account!.id).toBe(alice.id); // the same account, joined (not a second one)
    expect(account!.subjectKey).toBe(`${stack.idp.issuer}#user-alice`);
    // Membership changes through SCIM reach the account at once (Okta's group push: PATCH members).
    const removed = await scim(stack, token, 'PATCH', `/Groups/${group.json.id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${alice.id}"]` }] });
    expect(removed.status).toBe(200);
    expect((await stack.server.gateway.store.users.getByUsername('alice'))!.groups).toEqual(['team-a']);
  });

  it('deprovisioning (active false) ends the sessions and revokes the personal tokens at once; reactivation restores the account, not the tokens', async () => {
    const alice = (await scim(stack, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "alice"')}`)).json.Resources[0];
    const { browser } = await signIn(stack, 'alice');
    const jwt = (await stack.idp.getTokens('alice')).access_token;
    const pat = await adminApi(stack, 'POST', 'tokens', { token: jwt, body: { name: `scim-test-${Date.now()}` } });
    expect(pat.status).toBe(201);
    const personal = pat.json.token as string;
    const whoami = () => fetch(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { headers: bearer(personal) });
    expect((await whoami()).status).toBe(200);

    const off = await scim(stack, token, 'PATCH', `/Users/${alice.id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.status).toBe(200);
    expect(off.json.active).toBe(false);
    expect((await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' })).status).toBe(401);
    expect((await whoami()).status).toBe(401);
    expect((await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: bearer(jwt) })).status).toBe(403); // disabled
    const audit = await stack.server.gateway.store.audit.list({ limit: 10, action: 'scim.deprovision' });
    expect(audit[0]).toMatchObject({ actor: 'scim:entra', resource: 'user:alice', reason: expect.stringMatching(/1 token\(s\) revoked/) });

    const on = await scim(stack, token, 'PATCH', `/Users/${alice.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.json.active).toBe(true);
    expect((await whoami()).status).toBe(401); // the revoked token stays revoked
    const { browser: again } = await signIn(stack, 'alice');
    expect((await again.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' })).status).toBe(200);
  });

  it('PUT replaces, If-Match guards concurrent changes, DELETE disables the account and forgets the resource', async () => {
    const dave = (await scim(stack, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "dave"')}`)).json.Resources[0];
    const put = await scim(stack, token, 'PUT', `/Users/${dave.id}`, { schemas: [USER], userName: 'dave', displayName: 'Dave D.', active: true }, { 'if-match': dave.meta.version });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ displayName: 'Dave D.', meta: { version: 'W/"2"' } });
    expect(put.json).not.toHaveProperty('emails'); // replaced, not merged
    const stale = await scim(stack, token, 'PUT', `/Users/${dave.id}`, { schemas: [USER], userName: 'dave' }, { 'if-match': dave.meta.version });
    expect(stale.status).toBe(412);
    const del = await scim(stack, token, 'DELETE', `/Users/${dave.id}`);
    expect(del.status).toBe(204);
    expect((await scim(stack, token, 'GET', `/Users/${dave.id}`)).status).toBe(404);
    expect((await stack.server.gateway.store.users.getByUsername('dave'))!.disabled).toBe(true);
  });

  it('refuses group members that are not accounts here, without applying anything', async () => {
    const g = await scim(stack, token, 'POST', '/Groups', { schemas: [GROUP], displayName: 'typo-team', members: [{ value: 'no-such-user' }] });
    expect(g.status).toBe(400);
    expect(g.json.scimType).toBe('invalidValue');
    expect((await scim(stack, token, 'GET', `/Groups?filter=${encodeURIComponent('displayName eq "typo-team"')}`)).json.totalResults).toBe(0);
  });

  it('admins list, rotate and revoke SCIM tokens; the old secret stops at once', async () => {
    const extra = await scimToken(stack, { name: 'okta' });
    const status = await adminApi(stack, 'GET', 'scim', { token: admin });
    expect(status.json).toMatchObject({ group_source: 'both', link_by: 'userName', users: { total: 3 }, tokens: expect.arrayContaining([expect.objectContaining({ name: 'okta' })]) });
    expect(status.json.last_sync).not.toBeNull();
    expect(JSON.stringify(status.json)).not.toContain(extra.token.split('_')[2]);
    const rotated = await adminApi(stack, 'POST', `scim/tokens/${extra.id}/rotate`, { token: admin });
    expect(rotated.status).toBe(200);
    expect((await scim(stack, extra.token, 'GET', '/Users')).status).toBe(401);
    expect((await scim(stack, rotated.json.token, 'GET', '/Users')).status).toBe(200);
    expect((await adminApi(stack, 'DELETE', `scim/tokens/${extra.id}`, { token: admin })).status).toBe(200);
    expect((await scim(stack, rotated.json.token, 'GET', '/Users')).status).toBe(401);
    // Only administrators.
    expect((await adminApi(stack, 'POST', 'scim/tokens', { token: (await stack.idp.getTokens('bob')).access_token, body: { name: 'x' } })).status).toBe(403);
  });
});
