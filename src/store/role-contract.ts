import { expect, it } from 'vitest';
import type { Store } from './types.js';

/** The role part of the store contract (called from runStoreContract for every adapter). */
export function runRoleStoreContract(makeStore: () => Promise<Store>): void {
  const identity = { subjectKey: 'https://idp#rita', username: 'rita', email: null, displayName: null, groups: ['team-a'], isAdmin: false };

  it('keeps MLflow roles with integer ids, one name per workspace, and their permissions', async () => {
    const store = await makeStore();
    const readers = await store.roles.create({ name: 'readers', workspace: 'default', description: 'read all' }, new Date(1));
    expect(readers).toMatchObject({ name: 'readers', workspace: 'default', description: 'read all', permissions: [] });
    expect(Number.isInteger(readers!.id)).toBe(true);
    expect(await store.roles.create({ name: 'readers', workspace: 'default', description: null }, new Date(2))).toBeUndefined();
    const other = await store.roles.create({ name: 'readers', workspace: 'team', description: null }, new Date(3));
    expect(other!.id).not.toBe(readers!.id);
    const p = await store.roles.addPermission(readers!.id, { resourceType: 'experiment', resourcePattern: '7', permission: 'READ' });
    expect(p).toEqual({ id: p!.id, roleId: readers!.id, resourceType: 'experiment', resourcePattern: '7', permission: 'READ' });
    expect(await store.roles.addPermission(readers!.id, { resourceType: 'experiment', resourcePattern: '7', permission: 'EDIT' })).toBeUndefined();
    expect(await store.roles.updatePermission(p!.id, 'EDIT')).toMatchObject({ permission: 'EDIT' });
    expect((await store.roles.get(readers!.id))!.permissions.map((x) => x.permission)).toEqual(['EDIT']);
    expect((await store.roles.list(['team'])).map((r) => r.id)).toEqual([other!.id]);
    expect(await store.roles.list()).toHaveLength(2);
    expect(await store.roles.list([])).toEqual([]);
    expect(await store.roles.update(other!.id, { name: 'readers' })).toMatchObject({ name: 'readers' }); // its own name
    const writers = await store.roles.create({ name: 'writers', workspace: 'default', description: null }, new Date(4));
    expect(await store.roles.update(writers!.id, { name: 'readers' })).toBe('name-taken');
    expect(await store.roles.update(readers!.id, { description: 'changed' })).toMatchObject({ name: 'readers', description: 'changed' });
    expect(await store.roles.update(9999, { name: 'x' })).toBeUndefined();
    expect(await store.roles.removePermission(p!.id)).toBe(true);
    expect(await store.roles.removePermission(p!.id)).toBe(false);
    await store.close();
  });

  it("puts a role's reserved group among its members' groups, and only there: a claimed one is dropped", async () => {
    const store = await makeStore();
    const role = (await store.roles.create({ name: 'ops', workspace: 'default', description: null }, new Date()))!;
    // The attack: the IdP (or whoever controls a group name there) claims the reserved group.
    const rita = await store.users.upsertOnLogin({ ...identity, groups: ['team-a', `mlflow-role:${role.id}`, 'MLFLOW-ROLE:1'] }, new Date(1000));
    expect(rita.groups).toEqual(['team-a']);
    expect(await store.roles.assign(role.id, rita.id)).toMatchObject({ roleId: role.id, userId: rita.id });
    expect(await store.roles.assign(role.id, rita.id)).toBeUndefined();
    expect((await store.users.get(rita.id))!.groups).toEqual(['team-a', `mlflow-role:${role.id}`]);
    // The next sign-in replaces the claimed groups and keeps the role's.
    expect((await store.users.upsertOnLogin({ ...identity, groups: ['team-b'] }, new Date(2000))).groups).toEqual(['team-b', `mlflow-role:${role.id}`]);
    expect((await store.roles.listForUser(rita.id)).map((r) => r.name)).toEqual(['ops']);
    expect((await store.roles.members(role.id)).map((a) => a.userId)).toEqual([rita.id]);
    expect(await store.roles.unassign(role.id, rita.id)).toBe(true);
    expect(await store.roles.unassign(role.id, rita.id)).toBe(false);
    expect((await store.users.get(rita.id))!.groups).toEqual(['team-b']);
    await store.roles.assign(role.id, rita.id);
    expect(await store.roles.delete(role.id)).toEqual([rita.id]);
    expect(await store.roles.delete(role.id)).toBeUndefined();
    expect((await store.users.get(rita.id))!.groups).toEqual(['team-b']);
    expect(await store.roles.listForUser(rita.id)).toEqual([]);
    await store.close();
  });

  it("lists every user's roles at once, by role id, with their permissions; users without a role are absent", async () => {
    const store = await makeStore();
    expect(await store.roles.listByUser()).toEqual(new Map());
    const ops = (await store.roles.create({ name: 'ops', workspace: 'default', description: null }, new Date()))!;
    const dev = (await store.roles.create({ name: 'dev', workspace: 'team', description: 'd' }, new Date()))!;
    await store.roles.create({ name: 'nobody', workspace: 'default', description: null }, new Date());
    await store.roles.addPermission(ops.id, { resourceType: 'experiment', resourcePattern: '*', permission: 'READ' });
    const rita = await store.users.upsertOnLogin(identity, new Date(1000));
    const sam = await store.users.upsertOnLogin({ ...identity, subjectKey: 'https://idp#sam', username: 'sam' }, new Date(1000));
    await store.users.upsertOnLogin({ ...identity, subjectKey: 'https://idp#tom', username: 'tom' }, new Date(1000));
    await store.roles.assign(dev.id, rita.id);
    await store.roles.assign(ops.id, rita.id);
    await store.roles.assign(ops.id, sam.id);
    const byUser = await store.roles.listByUser();
    expect([...byUser.keys()].sort()).toEqual([rita.id, sam.id].sort());
    expect(byUser.get(rita.id)).toEqual(await store.roles.listForUser(rita.id));
    expect(byUser.get(rita.id)!.map((r) => r.name)).toEqual(['ops', 'dev']);
    expect(byUser.get(sam.id)).toEqual([await store.roles.get(ops.id)]);
    expect(byUser.get(sam.id)![0]!.permissions.map((p) => p.permission)).toEqual(['READ']);
    await store.close();
  });

  it('drops the reserved group from SCIM groups and service-account settings too', async () => {
    const store = await makeStore();
    const role = (await store.roles.create({ name: 'ops', workspace: 'default', description: null }, new Date()))!;
    const { user: sa } = await store.serviceAccounts.create({ username: 'robot', description: null, groups: ['ci', `mlflow-role:${role.id}`], isAdmin: false, createdBy: 'root' }, new Date());
    expect(sa.groups).toEqual(['ci']);
    await store.roles.assign(role.id, sa.id);
    await store.serviceAccounts.update(sa.id, { groups: ['ci', 'mlflow-role:77'] });
    expect((await store.users.get(sa.id))!.groups).toEqual(['ci', `mlflow-role:${role.id}`]);
    const { userId } = await store.scim.createUser({ username: 'sam', email: null, displayName: null, externalId: null, active: true, doc: {} }, new Date());
    await store.scim.createGroup({ displayName: `mlflow-role:${role.id}`, externalId: null, members: [userId] }, new Date());
    await store.scim.createGroup({ displayName: 'scim-team', externalId: null, members: [userId] }, new Date());
    await store.scim.syncGroups([userId], 'scim');
    expect((await store.users.get(userId))!.groups).toEqual(['scim-team']);
    await store.close();
  });
}
