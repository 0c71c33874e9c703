import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { callerFor, unique, userId } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// MANAGE held through a pattern rule on experiment names counts on the admin API as on the proxy:
// the admin API is given an id, and asks MLflow for the name the rule matches.
describe('admin API: managers through name patterns', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('a pattern rule granting MANAGE lets its holder list and share the matching experiment, and no other', async () => {
    const admin = await callerFor(stack, 'admin');
    const bob = await callerFor(stack, 'bob');
    await bob.get('experiments/search', { max_results: '1' }); // records bob
    await (await callerFor(stack, 'alice')).get('experiments/search', { max_results: '1' }); // and alice
    const prefix = unique('bobs');
    const mine = (await admin.post('experiments/create', { name: `${prefix}-one` })).json.experiment_id as string;
    const other = (await admin.post('experiments/create', { name: unique('not-bobs') })).json.experiment_id as string;
    await stack.server.gateway.store.grants.addPattern({ principalType: 'user', principal: await userId(stack, 'bob'), resourceType: 'experiment', matcher: 'glob', pattern: `${prefix}-*`, level: 'MANAGE' });
    const list = await adminApi(stack, 'GET', `grants?resource_type=experiment&resource_id=${mine}`, { token: bob.token });
    expect(list.status, JSON.stringify(list.json)).toBe(200);
    const share = await adminApi(stack, 'PUT', 'grants', { token: bob.token, body: { principal_type: 'user', principal: 'alice', resource_type: 'experiment', resource_id: mine, level: 'READ' } });
    expect(share.status, JSON.stringify(share.json)).toBe(200);
    const elsewhere = await adminApi(stack, 'GET', `grants?resource_type=experiment&resource_id=${other}`, { token: bob.token });
    expect(elsewhere.status).toBe(403);
  });
});
