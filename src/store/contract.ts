import { describe, expect, it } from 'vitest';
import type { Store } from './types.js';
import { runRoleStoreContract } from './role-contract.js';

/**
 * The behaviour every store adapter must have. Each adapter's test file calls this with a factory
 * that returns a fresh, empty, migrated store.
 */
export function runStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    runRoleStoreContract(makeStore);
    const identity = { subjectKey: 'https://idp#alice', username: 'alice', email: 'alice@example.com', displayName: 'Alice', groups: ['team-a'], isAdmin: false };

    it('creates a user on first sign-in and updates profile and groups later', async () => {
      const store = await makeStore();
      const first = await store.users.upsertOnLogin(identity, new Date(1000));
      const again = await store.users.upsertOnLogin({ ...identity, groups: ['team-b'], isAdmin: true }, new Date(2000));
      expect(again.id).toBe(first.id);
      expect(again.groups).toEqual(['team-b']);
      expect(again.isAdmin).toBe(true);
      expect((await store.users.getByUsername('alice'))?.lastLoginAt?.getTime()).toBe(2000);
      await store.users.setDisabled(first.id, true);
      expect((await store.users.get(first.id))?.disabled).toBe(true);
      // A disabled account's sign-in is refused: it does not count as its last sign-in.
      const refused = await store.users.upsertOnLogin(identity, new Date(3000));
      expect(refused.disabled).toBe(true);
      expect(refused.lastLoginAt?.getTime()).toBe(2000);
      expect((await store.users.get(first.id))?.lastLoginAt?.getTime()).toBe(2000);
      expect((await store.users.list({ search: 'ali' })).map((u) => u.username)).toEqual(['alice']);
      expect((await store.users.list({ search: 'ALI' })).map((u) => u.username)).toEqual(['alice']); // case-insensitive on every store
      await store.close();
    });

    it('records a person ahead of sign-in; the first identity with that username takes the account over, once', async () => {
      const store = await makeStore();
      const ahead = await store.users.createAhead('alice', new Date(500));
      expect(ahead.created).toBe(true);
      expect(ahead.user).toMatchObject({ username: 'alice', kind: 'person', isAdmin: false, lastLoginAt: null });
      expect((await store.users.createAhead('alice', new Date())).created).toBe(false);
      await store.grants.set({ principalType: 'user', principal: ahead.user.id, resourceType: 'experiment', resourceId: '7', level: 'EDIT' });
      const signedIn = await store.users.upsertOnLogin(identity, new Date(1000));
      expect(signedIn.id).toBe(ahead.user.id);
      expect(signedIn).toMatchObject({ subjectKey: identity.subjectKey, email: 'alice@example.com', groups: ['team-a'] });
      expect((await store.grants.listForPrincipal('user', signedIn.id)).map((g) => g.level)).toEqual(['EDIT']);
      // A second identity with the same username meets the usual conflict: the account is taken.
      await expect(store.users.upsertOnLogin({ ...identity, subjectKey: 'https://other#alice' }, new Date())).rejects.toMatchObject({ code: 'GW_CONFLICT' });
      expect((await store.users.upsertOnLogin(identity, new Date(2000))).id).toBe(ahead.user.id);
      await store.close();
    });

    it('records a person ahead of sign-in by email; only a new identity with that email verified joins it, and ambiguity is refused', async () => {
      const store = await makeStore();
      const ahead = await store.users.createAheadByEmail('Dave@Example.com', new Date(500));
      expect(ahead).toMatchObject({ created: true, user: { username: 'dave@example.com', email: 'dave@example.com', lastLoginAt: null, kind: 'person' } });
      expect((await store.users.createAheadByEmail('dave@example.COM', new Date())).user.id).toBe(ahead.user.id);
      expect((await store.users.findByVerifiedEmail('DAVE@example.com', 5)).map((u) => u.id)).toEqual([ahead.user.id]);
      await store.grants.set({ principalType: 'user', principal: ahead.user.id, resourceType: 'experiment', resourceId: '9', level: 'READ' });
      const dave = { subjectKey: 'https://idp#dave', username: 'dave', email: 'dave@example.com', displayName: 'Dave', groups: [], isAdmin: false };
      // Unverified email: a separate account, the pending one stays pending; its name is no username claim's either.
      const squatter = await store.users.upsertOnLogin({ ...dave, subjectKey: 'https://idp#eve', username: 'eve', emailVerified: false }, new Date(600));
      expect(squatter.id).not.toBe(ahead.user.id);
      await expect(store.users.upsertOnLogin({ ...dave, subjectKey: 'https://idp#eve2', username: 'dave@example.com', emailVerified: false }, new Date()))
        .rejects.toMatchObject({ code: 'GW_CONFLICT' });
      expect((await store.users.get(ahead.user.id))?.lastLoginAt).toBeNull();
      const joined = await store.users.upsertOnLogin({ ...dave, emailVerified: true }, new Date(1000));
      expect(joined).toMatchObject({ id: ahead.user.id, username: 'dave', subjectKey: dave.subjectKey, displayName: 'Dave' });
      expect((await store.grants.listForPrincipal('user', joined.id)).map((g) => g.resourceId)).toEqual(['9']);
      expect((await store.users.findByVerifiedEmail('dave@example.com', 5)).map((u) => u.id)).toEqual([joined.id]);
      // Once joined, another verified identity with the email gets its own account (no second join).
      expect((await store.users.upsertOnLogin({ ...dave, subjectKey: 'https://idp#dave2', username: 'dave2', emailVerified: true }, new Date())).id).not.toBe(joined.id);
      // Shared with by name and by email: two pending accounts match one person, refused.
      await store.users.createAhead('frank', new Date());
      await store.users.createAheadByEmail('frank@example.com', new Date());
      await expect(store.users.upsertOnLogin({ ...dave, subjectKey: 'https://idp#frank', username: 'frank', email: 'frank@example.com', emailVerified: true }, new Date()))
        .rejects.toMatchObject({ code: 'GW_CONFLICT', message: expect.stringMatching(/Several accounts match frank/) });
      await store.close();
    });

    it('keeps groups created ahead of use by name', async () => {
      const store = await makeStore();
      expect(await store.knownGroups.create({ name: 'team-c', description: 'Vision', createdAt: new Date(5), createdBy: 'admin' })).toBe(true);
      expect(await store.knownGroups.create({ name: 'team-c', description: null, createdAt: new Date(6), createdBy: 'x' })).toBe(false);
      expect(await store.knownGroups.list()).toEqual([{ name: 'team-c', description: 'Vision', createdAt: new Date(5), createdBy: 'admin' }]);
      expect(await store.knownGroups.delete('team-c')).toBe(true);
      expect(await store.knownGroups.get('team-c')).toBeUndefined();
      await store.close();
    });

    it('never hands a username held by one identity to another (username takeover)', async () => {
      const store = await makeStore();
      await store.users.upsertOnLogin(identity, new Date());
      const other = { ...identity, subjectKey: 'https://other-idp#alice' };
      await expect(store.users.upsertOnLogin(other, new Date())).rejects.toMatchObject({ code: 'GW_CONFLICT' });
      const bob = await store.users.upsertOnLogin({ ...identity, subjectKey: 'https://idp#bob', username: 'bob' }, new Date());
      await expect(store.users.upsertOnLogin({ ...identity, subjectKey: 'https://idp#bob', username: 'alice' }, new Date())).rejects.toMatchObject({ code: 'GW_CONFLICT' });
      expect((await store.users.getByUsername('alice'))?.subjectKey).toBe(identity.subjectKey);
      expect((await store.users.get(bob.id))?.username).toBe('bob');
      await store.close();
    });

    it('keeps identities of different providers apart: the same username or email from another provider is refused, not merged', async () => {
      const store = await makeStore();
      const a = await store.users.upsertOnLogin({ ...identity, provider: 'a', emailVerified: true }, new Date());
      const fromB = { ...identity, subjectKey: 'https://idp-b#alice', provider: 'b', emailVerified: true };
      await expect(store.users.upsertOnLogin(fromB, new Date())).rejects.toMatchObject({ code: 'GW_CONFLICT', message: expect.stringMatching(/never merged/) });
      // Another username with the same verified email is a separate account when linking is off.
      const separate = await store.users.upsertOnLogin({ ...fromB, username: 'alice-b' }, new Date());
      expect(separate.id).not.toBe(a.id);
      expect(separate.provider).toBe('b');
      await store.close();
    });

    it('links a new identity to the account with the same verified email only when its provider allows it', async () => {
      const store = await makeStore();
      const a = await store.users.upsertOnLogin({ ...identity, email: 'Alice@Example.com', provider: 'a', emailVerified: true }, new Date(1000));
      const fromB = { ...identity, subjectKey: 'https://idp-b#a-1', username: 'alice.b', displayName: 'A. B.', groups: ['partners'], provider: 'b', linkByEmail: true };
      // Unverified email at B: no link, and the username is its own.
      const unverified = await store.users.upsertOnLogin({ ...fromB, subjectKey: 'https://idp-b#a-0', username: 'alice.unverified', emailVerified: false }, new Date());
      expect(unverified.id).not.toBe(a.id);
      const linked = await store.users.upsertOnLogin({ ...fromB, emailVerified: true }, new Date(2000));
      expect(linked.id).toBe(a.id);
      expect(linked).toMatchObject({ username: 'alice', displayName: 'Alice', groups: ['partners'], provider: 'b', subjectKey: identity.subjectKey });
      // The link is remembered: the next sign-in through B finds the account even without the email.
      const again = await store.users.upsertOnLogin({ ...fromB, email: null, emailVerified: false, groups: ['partners', 'x'] }, new Date(3000));
      expect(again).toMatchObject({ id: a.id, groups: ['partners', 'x'] });
      expect((await store.users.findBySubject('https://idp-b#a-1'))?.id).toBe(a.id);
      expect((await store.users.findBySubject(identity.subjectKey))?.id).toBe(a.id);
      expect(await store.users.findBySubject('https://idp-b#nobody')).toBeUndefined();
      // And signing in through A again gives A's groups back (group sync follows the latest sign-in).
      expect((await store.users.upsertOnLogin({ ...identity, provider: 'a', emailVerified: true }, new Date(4000))).groups).toEqual(['team-a']);
      await store.close();
    });

    it('never links to an account whose email was not verified, nor to a service account, nor when several accounts share the email', async () => {
      const store = await makeStore();
      await store.users.upsertOnLogin({ ...identity, provider: 'a', emailVerified: false }, new Date());
      const fromB = { ...identity, subjectKey: 'https://idp-b#x', username: 'alice-b', provider: 'b', emailVerified: true, linkByEmail: true };
      const notLinked = await store.users.upsertOnLogin(fromB, new Date());
      expect(notLinked.username).toBe('alice-b');
      // Now two accounts have alice@example.com verified (alice-b, and alice after a verified sign-in).
      await store.users.upsertOnLogin({ ...identity, provider: 'a', emailVerified: true }, new Date());
      await expect(store.users.upsertOnLogin({ ...fromB, subjectKey: 'https://idp-c#y', username: 'alice-c', provider: 'c' }, new Date()))
        .rejects.toMatchObject({ code: 'GW_CONFLICT', message: expect.stringMatching(/Several accounts/) });
      await store.close();
    });

    it('stores sessions by id with the secret hash only, expires and deletes them', async () => {
      const store = await makeStore();
      const user = await store.users.upsertOnLogin(identity, new Date());
      const now = new Date();
      await store.sessions.create({ id: 's1', secretHash: Buffer.alloc(32, 7), userId: user.id, expiresAt: new Date(now.getTime() + 60_000), tokensSealed: 'sealed', idpExpiresAt: null, ip: '1.2.3.4', userAgent: 'ua' }, now);
      const s = await store.sessions.get('s1');
      expect(s?.secretHash.equals(Buffer.alloc(32, 7))).toBe(true);
      expect(s?.tokensSealed).toBe('sealed');
      await store.sessions.updateTokens('s1', 'resealed', new Date(now.getTime() + 5000));
      expect((await store.sessions.get('s1'))?.tokensSealed).toBe('resealed');
      expect(await store.sessions.deleteExpired(new Date(now.getTime() + 120_000), 3600)).toBe(1);
      expect(await store.sessions.get('s1')).toBeUndefined();
      await store.close();
    });

    it('ends sessions by IdP session and subject (back-channel logout), never on an empty match', async () => {
      const store = await makeStore();
      const user = await store.users.upsertOnLogin(identity, new Date());
      const now = new Date();
      const base = { secretHash: Buffer.alloc(32, 1), userId: user.id, expiresAt: new Date(now.getTime() + 60_000), tokensSealed: null, idpExpiresAt: null, ip: null, userAgent: null };
      await store.sessions.create({ ...base, id: 'a', idpSubject: 'https://idp#alice', idpSid: 'https://idp#sid-1' }, now);
      await store.sessions.create({ ...base, id: 'b', idpSubject: 'https://idp#alice', idpSid: 'https://idp#sid-2' }, now);
      await store.sessions.create({ ...base, id: 'c', idpSubject: 'https://other#alice', idpSid: 'https://other#sid-1' }, now);
      await store.sessions.create({ ...base, id: 'd' }, now);
      expect((await store.sessions.get('a'))).toMatchObject({ idpSubject: 'https://idp#alice', idpSid: 'https://idp#sid-1' });
      expect((await store.sessions.get('d'))).toMatchObject({ idpSubject: null, idpSid: null });
      await expect(store.sessions.deleteByIdp({})).rejects.toThrow();
      expect(await store.sessions.deleteByIdp({ subjectKey: 'https://idp#alice', sidKey: 'https://idp#sid-9' })).toEqual([]);
      expect(await store.sessions.deleteByIdp({ sidKey: 'https://idp#sid-1' })).toEqual([{ id: 'a', userId: user.id }]);
      expect((await store.sessions.deleteByIdp({ subjectKey: 'https://idp#alice' })).map((s) => s.id)).toEqual(['b']);
      expect((await store.sessions.listForUser(user.id)).map((s) => s.id).sort()).toEqual(['c', 'd']);
      await store.close();
    });

    it('lists every live session with its user in one call, most recently used first; expired and idle ones are left out', async () => {
      const store = await makeStore();
      const alice = await store.users.upsertOnLogin(identity, new Date());
      const bob = await store.users.upsertOnLogin({ ...identity, subjectKey: 'https://idp#bob', username: 'bob', email: 'bob@example.com' }, new Date());
      const t = (s: number) => new Date(1_000_000_000 + s * 1000);
      const session = (id: string, userId: string, expiresAt: Date) => ({ id, secretHash: Buffer.alloc(32, 1), userId, expiresAt, tokensSealed: null, idpExpiresAt: null, ip: null, userAgent: null });
      await store.sessions.create(session('alice-old', alice.id, t(10_000)), t(100));
      await store.sessions.create(session('bob-new', bob.id, t(10_000)), t(300));
      await store.sessions.create(session('alice-new', alice.id, t(10_000)), t(200));
      await store.sessions.create(session('bob-expired', bob.id, t(350)), t(300));
      await store.sessions.create(session('alice-idle', alice.id, t(10_000)), t(0));
      const live = await store.sessions.listLive(t(400), 350); // idle: last used 350 s or more before now
      expect(live.map((l) => [l.session.id, l.username])).toEqual([['bob-new', 'bob'], ['alice-new', 'alice'], ['alice-old', 'alice']]);
      expect(live[0]!.session).toEqual(await store.sessions.get('bob-new'));
      expect(await store.sessions.listLive(t(20_000), 100_000)).toEqual([]);
      await store.close();
    });

    it('lets a one-time id be used once per namespace until it expires (replay defence)', async () => {
      const store = await makeStore();
      const t = (s: number) => new Date(1_000_000 + s * 1000);
      expect(await store.oneTimeIds.use('jti:a', 'x', t(60), t(0))).toBe(true);
      expect(await store.oneTimeIds.use('jti:a', 'x', t(60), t(1))).toBe(false);
      expect(await store.oneTimeIds.use('jti:b', 'x', t(60), t(1))).toBe(true); // namespaces are apart
      const racing = await Promise.all([1, 2, 3, 4].map(() => store.oneTimeIds.use('jti:a', 'y', t(60), t(1))));
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await store.oneTimeIds.use('jti:a', 'x', t(200), t(61))).toBe(true); // expired: may be claimed again
      expect(await store.oneTimeIds.prune(t(100))).toBe(2); // jti:a/y and jti:b/x
      expect(await store.oneTimeIds.use('jti:a', 'x', t(300), t(150))).toBe(false);
      // Expected ids (SAML request ids): pending until consumed once, by one of several racing replicas.
      await store.oneTimeIds.expect('saml:a', 'r1', t(60));
      await store.oneTimeIds.expect('saml:a', 'r1', t(60));
      expect(await store.oneTimeIds.isExpected('saml:a', 'r1', t(1))).toBe(true);
      expect(await store.oneTimeIds.isExpected('saml:b', 'r1', t(1))).toBe(false);
      expect(await store.oneTimeIds.use('saml:a', 'r1', t(60), t(1))).toBe(true); // used and expected ids are apart
      const takers = await Promise.all([1, 2, 3].map(() => store.oneTimeIds.consume('saml:a', 'r1', t(2))));
      expect(takers.filter(Boolean)).toHaveLength(1);
      expect(await store.oneTimeIds.isExpected('saml:a', 'r1', t(3))).toBe(false);
      await store.oneTimeIds.expect('saml:a', 'r2', t(60));
      expect(await store.oneTimeIds.consume('saml:a', 'r2', t(60))).toBe(false); // expired
      await store.close();
    });

    it('provisions people ahead of sign-in (SCIM) and joins them by the configured match, refusing ambiguity', async () => {
      const store = await makeStore();
      const now = new Date(5000);
      const doc = { emails: [{ value: 'Pat@Example.com', primary: true }] };
      const pat = await store.scim.createUser({ username: 'pat', email: 'pat@example.com', displayName: 'Pat', externalId: 'ext-1', active: true, doc }, now);
      expect(pat).toMatchObject({ username: 'pat', externalId: 'ext-1', active: true, version: 1, linkedAt: null, doc });
      expect((await store.users.get(pat.userId))).toMatchObject({ username: 'pat', kind: 'person', disabled: false, lastLoginAt: null });
      await expect(store.scim.createUser({ username: 'pat', email: null, displayName: null, externalId: null, active: true, doc: {} }, now)).rejects.toMatchObject({ code: 'GW_CONFLICT' });
      // Optimistic concurrency: an update names the version it read.
      expect(await store.scim.updateUser(pat.userId, { username: 'pat', email: 'pat@example.com', displayName: 'Pat P.', externalId: 'ext-1', active: true, doc }, now, 7)).toBe(false);
      expect(await store.scim.updateUser(pat.userId, { username: 'pat', email: 'pat@example.com', displayName: 'Pat P.', externalId: 'ext-1', active: true, doc }, now, 1)).toBe(true);
      expect((await store.scim.getUser(pat.userId))?.version).toBe(2);
      // A group, its members, and groups as the source.
      const g = await store.scim.createGroup({ displayName: 'ops', externalId: null, members: [pat.userId] }, now);
      expect(await store.scim.groupsOf(pat.userId)).toEqual(['ops']);
      expect(await store.scim.syncGroups([pat.userId], 'scim')).toEqual([pat.userId]);
      expect((await store.users.get(pat.userId))?.groups).toEqual(['ops']);
      // First sign-in joins by externalId (identity of the provisioning provider), groups from both sources.
      const identity = { subjectKey: 'https://idp#pat-sub', username: 'pat.p', email: 'pat@example.com', displayName: 'Pat', groups: ['idp-team'], isAdmin: false, provider: 'a', emailVerified: true };
      const joined = await store.users.upsertOnLogin({ ...identity, scimLink: { by: 'externalId', externalId: 'ext-1' }, groupSource: 'both' }, new Date(6000));
      expect(joined).toMatchObject({ id: pat.userId, username: 'pat', subjectKey: 'https://idp#pat-sub', groups: ['idp-team', 'ops'] });
      expect((await store.scim.getUser(pat.userId))?.linkedAt?.getTime()).toBe(6000);
      expect((await store.users.upsertOnLogin({ ...identity, groups: ['idp-2'], groupSource: 'both' }, new Date(7000))).groups).toEqual(['idp-2', 'ops']);
      expect(await store.scim.updateGroup(g.id, { displayName: 'ops', externalId: null, members: [] }, now)).toBe(true);
      await store.scim.syncGroups([pat.userId], 'both');
      expect((await store.users.get(pat.userId))?.groups).toEqual(['idp-2']);
      // Two unlinked provisioned accounts with the same email: a match by email is refused, never guessed.
      await store.scim.createUser({ username: 'sam1', email: 'sam@example.com', displayName: null, externalId: null, active: true, doc: {} }, now);
      await store.scim.createUser({ username: 'sam2', email: 'SAM@example.com', displayName: null, externalId: null, active: true, doc: {} }, now);
      const sam = { subjectKey: 'https://idp#sam', username: 'sam', email: 'sam@example.com', displayName: null, groups: [], isAdmin: false, emailVerified: true, scimLink: { by: 'email' as const } };
      await expect(store.users.upsertOnLogin(sam, now)).rejects.toMatchObject({ code: 'GW_CONFLICT', message: expect.stringMatching(/Several provisioned accounts/) });
      // Unverified email never matches; without a SCIM link nothing joins (a separate account).
      expect((await store.users.upsertOnLogin({ ...sam, emailVerified: false, username: 'sam-unverified' }, now)).username).toBe('sam-unverified');
      // An existing signed-in account can be taken under SCIM management (adopted) once.
      const bob = await store.users.upsertOnLogin({ ...identity, subjectKey: 'https://idp#bob', username: 'bob', email: null }, now);
      expect(await store.scim.adoptUser(bob.id, { username: 'bob', email: 'bob@example.com', displayName: 'Bob', externalId: 'ext-b', active: false, doc: {} }, now)).toBe(true);
      expect(await store.scim.adoptUser(bob.id, { username: 'bob', email: null, displayName: null, externalId: null, active: true, doc: {} }, now)).toBe(false);
      expect(await store.users.get(bob.id)).toMatchObject({ disabled: true, email: 'bob@example.com' });
      expect((await store.scim.listUsers()).map((u) => u.username).sort()).toEqual(['bob', 'pat', 'sam1', 'sam2']);
      expect(await store.scim.deleteUser(pat.userId)).toBe(true);
      expect(await store.scim.getUser(pat.userId)).toBeUndefined();
      expect(await store.users.get(pat.userId)).toBeDefined(); // the account stays
      await store.close();
    });

    it('keeps SCIM tokens hashed, rotates and revokes them', async () => {
      const store = await makeStore();
      const t = await store.scim.createToken({ id: 't1', name: 'entra', secretHash: Buffer.alloc(32, 3), allowedCidrs: ['10.0.0.0/8'], createdBy: 'root' }, new Date(1000));
      expect(t).toMatchObject({ id: 't1', allowedCidrs: ['10.0.0.0/8'], revokedAt: null, lastUsedAt: null });
      await store.scim.touchToken('t1', new Date(2000), '10.1.2.3');
      await store.scim.touchToken('t1', new Date(3000), '10.9.9.9'); // within a minute: not written
      expect(await store.scim.getToken('t1')).toMatchObject({ lastUsedIp: '10.1.2.3' });
      expect(await store.scim.replaceTokenSecret('t1', Buffer.alloc(32, 4))).toBe(true);
      expect((await store.scim.getToken('t1'))?.secretHash.equals(Buffer.alloc(32, 4))).toBe(true);
      expect(await store.scim.revokeToken('t1', new Date(4000))).toBe(true);
      expect(await store.scim.revokeToken('t1', new Date(5000))).toBe(false);
      expect(await store.scim.replaceTokenSecret('t1', Buffer.alloc(32, 5))).toBe(false);
      expect((await store.scim.listTokens()).map((x) => x.revokedAt?.getTime())).toEqual([4000]);
      await store.close();
    });

    it('keeps one grant per principal and resource, and finds grants for a user and groups', async () => {
      const store = await makeStore();
      await store.grants.set({ principalType: 'user', principal: 'alice', resourceType: 'experiment', resourceId: '1', level: 'READ' });
      await store.grants.set({ principalType: 'user', principal: 'alice', resourceType: 'experiment', resourceId: '1', level: 'EDIT' });
      await store.grants.set({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', resourceId: '1', level: 'MANAGE' });
      await store.grants.set({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: '1', level: 'READ' });
      const mine = await store.grants.forResource('experiment', '1', 'alice', ['team-a']);
      expect(mine.map((g) => `${g.principalType}:${g.principal}:${g.level}`).sort()).toEqual(['group:team-a:MANAGE', 'user:alice:EDIT']);
      expect(await store.grants.listForResource('experiment', '1')).toHaveLength(3);
      expect(await store.grants.delete('group', 'team-b', 'experiment', '1')).toBe(true);
      const rule = await store.grants.addPattern({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', matcher: 'glob', pattern: 'team-a-*', level: 'EDIT' });
      expect((await store.grants.patterns('experiment')).map((p) => p.id)).toEqual([rule.id]);
      expect(await store.grants.updatePattern(rule.id, { pattern: 'team-a-.*', matcher: 'regex', level: 'DENY' })).toEqual({ ...rule, pattern: 'team-a-.*', matcher: 'regex', level: 'DENY' });
      expect(await store.grants.patterns('experiment')).toEqual([{ ...rule, pattern: 'team-a-.*', matcher: 'regex', level: 'DENY' }]);
      expect(await store.grants.updatePattern('pr_nosuch', { level: 'READ' })).toBeUndefined();
      expect(await store.grants.deletePattern(rule.id)).toBe(true);
      await store.close();
    });

    it('keeps token hashes only, lists active tokens, rotates and revokes', async () => {
      const store = await makeStore();
      const user = await store.users.upsertOnLogin(identity, new Date());
      const base = { userId: user.id, createdAt: new Date(1000), expiresAt: new Date(9_000_000_000_000), readOnly: false, scope: null };
      await store.tokens.create({ ...base, id: 'tok1', name: 'laptop', secretHash: Buffer.alloc(32, 1) });
      await store.tokens.create({ ...base, id: 'tok2', name: 'ci', secretHash: Buffer.alloc(32, 2), readOnly: true, scope: [{ type: 'experiment', id: '7' }] });
      expect((await store.tokens.get('tok2'))).toMatchObject({ readOnly: true, scope: [{ type: 'experiment', id: '7' }], revokedAt: null });
      expect((await store.tokens.activeByName(user.id, 'laptop'))?.id).toBe('tok1');
      expect(await store.tokens.replaceSecret('tok1', Buffer.alloc(32, 3), new Date(5000))).toBe(true);
      expect((await store.tokens.get('tok1'))?.secretHash.equals(Buffer.alloc(32, 3))).toBe(true);
      await store.tokens.touch('tok1', new Date(2000), '10.0.0.1');
      expect((await store.tokens.get('tok1'))).toMatchObject({ lastUsedIp: '10.0.0.1' });
      expect(await store.tokens.revoke('tok1', new Date(3000))).toBe(true);
      expect(await store.tokens.revoke('tok1', new Date(3000))).toBe(false);
      expect(await store.tokens.replaceSecret('tok1', Buffer.alloc(32, 4), new Date(5000))).toBe(false);
      expect((await store.tokens.list({ userId: user.id })).map((t) => t.id)).toEqual(['tok2']);
      expect(await store.tokens.list({ userId: user.id, includeRevoked: true })).toHaveLength(2);
      expect(await store.tokens.revokeAllForUser(user.id, new Date(4000))).toBe(1);
      expect(await store.tokens.list({})).toEqual([]);
      await store.close();
    });

    it('creates service accounts as users of kind service, updates them, and deletes them with everything that acts for them', async () => {
      const store = await makeStore();
      const sa = await store.serviceAccounts.create({ username: 'ci-bot', description: 'CI', groups: ['team-a'], isAdmin: false, createdBy: 'admin' }, new Date(1000));
      expect(sa.user).toMatchObject({ username: 'ci-bot', kind: 'service', groups: ['team-a'], isAdmin: false, disabled: false });
      expect((await store.users.getByUsername('ci-bot'))?.id).toBe(sa.user.id);
      await store.users.upsertOnLogin(identity, new Date());
      expect((await store.serviceAccounts.list()).map((a) => a.user.username)).toEqual(['ci-bot']);
      expect(await store.serviceAccounts.get('alice')).toBeUndefined(); // a person is not a service account
      await store.serviceAccounts.update(sa.user.id, { description: null, groups: ['team-b'], isAdmin: true });
      expect(await store.serviceAccounts.get('ci-bot')).toMatchObject({ description: null, createdBy: 'admin', user: { groups: ['team-b'], isAdmin: true } });

      await store.grants.set({ principalType: 'user', principal: sa.user.id, resourceType: 'experiment', resourceId: '1', level: 'EDIT' });
      await store.grants.addPattern({ principalType: 'user', principal: sa.user.id, resourceType: 'experiment', matcher: 'glob', pattern: 'ci-*', level: 'READ' });
      await store.tokens.create({ id: 'satok', userId: sa.user.id, name: 'ci', secretHash: Buffer.alloc(32, 1), createdAt: new Date(), expiresAt: new Date(9_000_000_000_000), readOnly: false, scope: null });
      await store.federation.addRule({
        id: 'tr_1', name: 'gh', issuer: 'https://token.actions.githubusercontent.com', jwksUrl: null, audience: 'mlflow', preset: 'github-actions',
        conditions: [{ claim: 'repository', matcher: 'exact', value: 'org/repo' }], serviceAccountId: sa.user.id, createdAt: new Date(), createdBy: 'admin',
      });
      await store.federation.mapClient({ clientId: 'etl', serviceAccountId: sa.user.id, createdAt: new Date(), createdBy: 'admin' });
      expect(await store.serviceAccounts.delete(sa.user.id)).toBe(true);
      expect(await store.users.getByUsername('ci-bot')).toBeUndefined();
      expect(await store.grants.listForPrincipal('user', sa.user.id)).toEqual([]);
      expect(await store.grants.listPatterns()).toEqual([]);
      expect(await store.tokens.get('satok')).toBeUndefined();
      expect(await store.federation.rules()).toEqual([]);
      expect(await store.federation.clientMapping('etl')).toBeUndefined();
      expect(await store.serviceAccounts.delete(sa.user.id)).toBe(false);
      await store.close();
    });

    it('keeps trust rules by issuer and maps OAuth clients to service accounts', async () => {
      const store = await makeStore();
      const a = await store.serviceAccounts.create({ username: 'a-bot', description: null, groups: [], isAdmin: false, createdBy: 'admin' }, new Date());
      const b = await store.serviceAccounts.create({ username: 'b-bot', description: null, groups: [], isAdmin: false, createdBy: 'admin' }, new Date());
      const rule = {
        id: 'tr_k8s', name: 'k8s', issuer: 'https://k8s.example', jwksUrl: 'https://k8s.example/openid/v1/jwks', audience: 'mlflow', preset: 'kubernetes',
        conditions: [{ claim: 'kubernetes.io.namespace', matcher: 'glob' as const, value: 'ml-*' }], serviceAccountId: a.user.id, createdAt: new Date(1000), createdBy: 'admin',
      };
      await store.federation.addRule(rule);
      await store.federation.addRule({ ...rule, id: 'tr_other', name: 'other', issuer: 'https://other.example', createdAt: new Date(2000), serviceAccountId: b.user.id });
      expect(await store.federation.rules({ issuer: 'https://k8s.example' })).toEqual([rule]);
      expect((await store.federation.rules({ serviceAccountId: b.user.id })).map((r) => r.id)).toEqual(['tr_other']);
      expect((await store.federation.rules()).map((r) => r.id)).toEqual(['tr_k8s', 'tr_other']);
      expect(await store.federation.getRule('tr_k8s')).toEqual(rule);
      await expect(store.federation.addRule({ ...rule, id: 'tr_dup' })).rejects.toMatchObject({ code: 'GW_CONFLICT' }); // names are unique
      expect(await store.federation.deleteRule('tr_k8s')).toBe(true);
      expect(await store.federation.deleteRule('tr_k8s')).toBe(false);

      await store.federation.mapClient({ clientId: 'etl', serviceAccountId: a.user.id, createdAt: new Date(), createdBy: 'admin' });
      await store.federation.mapClient({ clientId: 'etl', serviceAccountId: b.user.id, createdAt: new Date(), createdBy: 'admin' });
      expect((await store.federation.clientMapping('etl'))?.serviceAccountId).toBe(b.user.id);
      expect(await store.federation.clients({ serviceAccountId: a.user.id })).toEqual([]);
      expect(await store.federation.unmapClient('etl')).toBe(true);
      expect(await store.federation.clients()).toEqual([]);
      await store.close();
    });

    it('appends audit events and lists the newest first', async () => {
      const store = await makeStore();
      for (const action of ['login', 'request.denied', 'logout']) {
        await store.audit.append({ time: new Date(), actor: 'alice', action, resource: null, decision: 'info', reason: null, requestId: null, clientIp: null });
      }
      expect((await store.audit.list({ limit: 2 })).map((e) => e.action)).toEqual(['logout', 'request.denied']);
      expect((await store.audit.list({ limit: 10, action: 'login' }))).toHaveLength(1);
      await store.close();
    });

    it('appends several audit events in one call, in order', async () => {
      const store = await makeStore();
      const event = (action: string) => ({ time: new Date(), actor: 'alice', action, resource: null, decision: 'info' as const, reason: null, requestId: null, clientIp: null });
      await store.audit.appendMany([event('one'), event('two'), event('three')]);
      await store.audit.appendMany([]);
      expect((await store.audit.list({ limit: 10 })).map((e) => e.action)).toEqual(['three', 'two', 'one']);
      await store.close();
    });

    it('filters audit events, pages them by seq and prunes old ones', async () => {
      const store = await makeStore();
      const ev = (time: number, actor: string | null, action: string, resource: string | null, decision: 'allow' | 'deny' | 'info') =>
        store.audit.append({ time: new Date(time), actor, action, resource, decision, reason: null, requestId: 'r', clientIp: '127.0.0.1' });
      await ev(1000, 'alice', 'login', null, 'allow');
      await ev(2000, 'alice', 'request.write', 'experiment:1', 'allow');
      await ev(3000, 'bob', 'request.denied', 'experiment:10', 'deny');
      await ev(4000, null, 'request.denied', 'experiment_x:1', 'deny');
      await ev(5000, 'alice', 'grant.set', 'registered_model:m', 'allow');
      const all = await store.audit.list({ limit: 10 });
      expect(all.map((e) => e.time.getTime())).toEqual([5000, 4000, 3000, 2000, 1000]);
      expect(all[0]!.seq).toBeGreaterThan(all[1]!.seq);
      const page1 = await store.audit.list({ limit: 2 });
      const page2 = await store.audit.list({ limit: 2, beforeSeq: page1[1]!.seq });
      expect(page2.map((e) => e.time.getTime())).toEqual([3000, 2000]);
      expect((await store.audit.list({ limit: 10, actor: 'alice', decision: 'allow' })).map((e) => e.action)).toEqual(['grant.set', 'request.write', 'login']);
      expect((await store.audit.list({ limit: 10, decision: 'deny' })).map((e) => e.actor)).toEqual([null, 'bob']);
      expect((await store.audit.list({ limit: 10, action: 'request.*' }))).toHaveLength(3);
      // A prefix is literal: "experiment:*" does not match "experiment_x:1" (LIKE's _ is escaped).
      expect((await store.audit.list({ limit: 10, resource: 'experiment:*' })).map((e) => e.resource)).toEqual(['experiment:10', 'experiment:1']);
      expect((await store.audit.list({ limit: 10, resource: 'experiment:1' })).map((e) => e.time.getTime())).toEqual([2000]);
      expect((await store.audit.list({ limit: 10, since: new Date(2000), before: new Date(4000) })).map((e) => e.time.getTime())).toEqual([3000, 2000]);
      expect(await store.audit.prune(new Date(3000))).toBe(2);
      expect((await store.audit.list({ limit: 10 })).map((e) => e.time.getTime())).toEqual([5000, 4000, 3000]);
      await store.close();
    });

    it('keeps DENY grants and rules, child grants with override_parent_deny, and moves grants between resources', async () => {
      const store = await makeStore();
      await store.grants.set({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', resourceId: '1', level: 'DENY' });
      await store.grants.set({ principalType: 'user', principal: 'u1', resourceType: 'run', resourceId: 'r1', level: 'READ', overrideParentDeny: true });
      await store.grants.set({ principalType: 'user', principal: 'u1', resourceType: 'model_version', resourceId: 'fraud/1', level: 'EDIT' });
      await store.grants.set({ principalType: 'user', principal: 'u1', resourceType: 'model_version', resourceId: 'fraudster/1', level: 'EDIT' });
      expect(await store.grants.listForResource('experiment', '1')).toEqual([{ principalType: 'group', principal: 'team-a', resourceType: 'experiment', resourceId: '1', level: 'DENY' }]);
      expect(await store.grants.forResource('run', 'r1', 'u1', [])).toEqual([{ principalType: 'user', principal: 'u1', resourceType: 'run', resourceId: 'r1', level: 'READ', overrideParentDeny: true }]);
      // Setting again without the flag clears it (a PUT states the whole grant).
      await store.grants.set({ principalType: 'user', principal: 'u1', resourceType: 'run', resourceId: 'r1', level: 'READ' });
      expect((await store.grants.forResource('run', 'r1', 'u1', []))[0]?.overrideParentDeny).toBeUndefined();
      expect((await store.grants.listForResourcePrefix('model_version', 'fraud/')).map((g) => g.resourceId)).toEqual(['fraud/1']);
      const rule = await store.grants.addPattern({ principalType: 'group', principal: 'team-a', resourceType: 'run', matcher: 'glob', pattern: 'nightly-*', level: 'DENY' });
      expect(await store.grants.patterns('run')).toEqual([rule]);

      await store.grants.set({ principalType: 'user', principal: 'u1', resourceType: 'registered_model', resourceId: 'p', level: 'MANAGE' });
      await store.grants.set({ principalType: 'group', principal: 'g', resourceType: 'registered_model', resourceId: 'p', level: 'READ' });
      await store.grants.set({ principalType: 'group', principal: 'g', resourceType: 'prompt', resourceId: 'p', level: 'EDIT' });
      expect(await store.grants.moveResource({ type: 'registered_model', id: 'p' }, { type: 'prompt', id: 'p' })).toBe(1);
      expect(await store.grants.listForResource('registered_model', 'p')).toEqual([]);
      expect((await store.grants.listForResource('prompt', 'p')).map((g) => `${g.principal}:${g.level}`)).toEqual(['g:EDIT', 'u1:MANAGE']);
      await store.close();
    });

    it('keeps protected-key rules and team defaults', async () => {
      const store = await makeStore();
      const pk = await store.rules.addProtectedKey({
        resourceType: 'registered_model', resourcePattern: 'fraud*', target: 'alias', keyPattern: 'champion', requiredLevel: null, allowedGroups: ['release-managers'], createdBy: 'root',
      });
      expect(pk.id).toMatch(/^pk_/);
      await store.rules.addProtectedKey({ resourceType: 'run', resourcePattern: '*', target: 'tag', keyPattern: 'approved', requiredLevel: 'MANAGE', allowedGroups: [], createdBy: 'root' });
      const keys = await store.rules.protectedKeys();
      expect(keys).toHaveLength(2);
      // Ordered by creation time, then id: two rules of one millisecond come in id order.
      expect(keys.find((k) => k.id === pk.id)).toEqual(pk);
      expect(keys.find((k) => k.id !== pk.id)).toMatchObject({ requiredLevel: 'MANAGE', allowedGroups: [] });
      expect(await store.rules.deleteProtectedKey(pk.id)).toBe(true);
      expect(await store.rules.deleteProtectedKey(pk.id)).toBe(false);
      const td = await store.rules.addTeamDefault({
        resourceType: 'experiment', creatorGroup: 'team-a', grantTo: 'creator_groups', groupPattern: 'team-*', groups: [], level: 'EDIT', createdBy: 'root',
      });
      await store.rules.addTeamDefault({ resourceType: 'prompt', creatorGroup: null, grantTo: 'groups', groupPattern: null, groups: ['reviewers'], level: 'READ', createdBy: 'root' });
      const tds = await store.rules.teamDefaults();
      expect(tds.find((t) => t.id === td.id)).toEqual(td);
      expect(tds.find((t) => t.id !== td.id)).toMatchObject({ creatorGroup: null, groups: ['reviewers'], level: 'READ' });
      expect(await store.rules.deleteTeamDefault(td.id)).toBe(true);
      expect(await store.rules.teamDefaults()).toHaveLength(1);
      await store.close();
    });

    it('keeps access requests: pending until decided once, expired past their date, listed by status, requester and resource', async () => {
      const store = await makeStore();
      const bob = await store.users.upsertOnLogin({ ...identity, subjectKey: 'https://idp#bob', username: 'bob' }, new Date());
      const t = (n: number) => new Date(1_000_000 + n);
      const ask = (resourceId: string, createdAt: Date, expiresAt: Date) =>
        store.accessRequests.create({ requesterId: bob.id, resourceType: 'experiment', resourceId, level: 'READ', message: 'for the review', createdAt, expiresAt });
      const a = await ask('1', t(0), t(100));
      const b = await ask('2', t(1), t(100));
      const old = await ask('3', t(2), t(10));
      expect(a).toMatchObject({ status: 'pending', requesterId: bob.id, level: 'READ', message: 'for the review', decidedBy: null });
      expect((await store.accessRequests.list({ now: t(50), status: 'pending', limit: 10 })).map((r) => r.id)).toEqual([b.id, a.id]);
      expect((await store.accessRequests.list({ now: t(50), status: 'expired', limit: 10 })).map((r) => r.id)).toEqual([old.id]);
      expect((await store.accessRequests.get(old.id, t(50)))?.status).toBe('expired');
      const grant = (resourceId: string) => ({ principalType: 'user' as const, principal: bob.id, resourceType: 'experiment' as const, resourceId, level: 'READ' as const });
      expect(await store.accessRequests.decide(old.id, { status: 'approved', by: 'alice', note: null, now: t(50), grant: grant('3') })).toBe(false);
      expect(await store.grants.listForResource('experiment', '3')).toEqual([]); // no grant for a request that was not approved
      expect(await store.accessRequests.decide(a.id, { status: 'approved', by: 'alice', note: 'welcome', now: t(60), grant: grant('1') })).toBe(true);
      expect((await store.grants.listForResource('experiment', '1')).map((g) => g.level)).toEqual(['READ']);
      expect(await store.accessRequests.decide(a.id, { status: 'declined', by: 'carol', note: null, now: t(61) })).toBe(false); // decided once
      expect(await store.accessRequests.get(a.id, t(200))).toMatchObject({ status: 'approved', decidedBy: 'alice', decisionNote: 'welcome', decidedAt: t(60) });
      expect((await store.accessRequests.list({ now: t(50), resource: { type: 'experiment', id: '2' }, limit: 10 })).map((r) => r.id)).toEqual([b.id]);
      expect(await store.accessRequests.list({ now: t(50), requesterId: bob.id, limit: 2 })).toHaveLength(2);
      await store.close();
    });

    it('names every group that holds a grant or a pattern rule', async () => {
      const store = await makeStore();
      await store.grants.set({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: '1', level: 'READ' });
      await store.grants.set({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: '2', level: 'READ' });
      await store.grants.set({ principalType: 'user', principal: 'u1', resourceType: 'experiment', resourceId: '1', level: 'READ' });
      await store.grants.addPattern({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', matcher: 'glob', pattern: '*', level: 'READ' });
      expect(await store.grants.groupNames()).toEqual(['team-a', 'team-b']);
      await store.close();
    });
  });
}
