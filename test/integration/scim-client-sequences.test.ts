import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scim, scimToken } from '../support/scim.js';
import { startStack, type Stack } from '../support/stack.js';

interface Step {
  name: string; method: string; path: string; body?: unknown;
  expect: { status: number; json?: unknown }; capture?: Record<string, string>; absent?: string[];
}
const sequence = (file: string) => JSON.parse(readFileSync(`test/fixtures/scim/${file}`, 'utf8')) as { client: string; steps: Step[] };

/** Replays a recorded sequence, substituting `{name}` with values captured from earlier answers. */
async function replay(stack: Stack, token: string, steps: readonly Step[]): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  const fill = (text: string) => text.replace(/\{([A-Za-z]+)\}/g, (m, name: string) => vars[name] ?? m);
  for (const step of steps) {
    const body = step.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(step.body)));
    const res = await scim(stack, token, step.method, fill(step.path), body);
    expect(res.status, `${step.name}: ${JSON.stringify(res.json)}`).toBe(step.expect.status);
    if (step.expect.json !== undefined) expect(res.json, step.name).toMatchObject(JSON.parse(fill(JSON.stringify(step.expect.json))));
    for (const key of step.absent ?? []) expect(res.json, step.name).not.toHaveProperty(key);
    for (const [name, field] of Object.entries(step.capture ?? {})) vars[name] = String(res.json[field]);
  }
  return vars;
}

// The request sequences Entra ID and Okta send (test/fixtures/scim, from their public docs),
// replayed against a real gateway; then the gateway's accounts are what the IdP meant.
describe('SCIM request sequences of Entra ID and Okta', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_SCIM_GROUP_SOURCE: 'scim' } });
    ({ token } = await scimToken(stack));
  });
  afterAll(async () => stack?.stop());
  const account = (username: string) => stack.server.gateway.store.users.getByUsername(username);

  it('Entra ID: capitalised ops, "False" strings, batched member patches, externalId, manager extension', async () => {
    const vars = await replay(stack, token, sequence('entra-id.json').steps);
    const user = await account('Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1');
    expect(user).toMatchObject({ id: vars.userId, email: 'updatedEmail@microsoft.com', disabled: true, groups: ['displayName'] });
    expect((await account('Test_Manager_1'))).toMatchObject({ disabled: true, groups: [] }); // deleted: disabled, out of the group
    const scimUser = await stack.server.gateway.store.scim.getUser(vars.userId!);
    expect(scimUser?.doc['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({ manager: vars.managerId });
  });

  it('Okta: PUT profile updates, deactivation by replace without path, group push with rename and member add/remove', async () => {
    const vars = await replay(stack, token, sequence('okta.json').steps);
    expect(await account('test.user@okta.local')).toMatchObject({ id: vars.userId, displayName: 'Another User', disabled: true, groups: ['Test SCIMv2 Renamed'] });
    const stored = await stack.server.gateway.store.scim.getUser(vars.userId!);
    expect(JSON.stringify(stored?.doc)).not.toContain('1mz050nq'); // the password Okta sent is never kept
  });
});
