import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callerFor, unique, userId, type ApiCaller, type ApiResult } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue #14: AI-gateway budget reads (get, list, windows) are open to non-administrators, as in
// MLflow's own auth, but each policy is seen only by those its target concerns: a USER-scoped
// policy by that user, an ENDPOINT-scoped one by those who may read the endpoint, a GLOBAL one by
// everyone (src/pipeline/filtered/budgets.ts). The MLflow behind the gateway runs without its own
// auth, so it refuses to create USER-scoped policies ("require server authentication"); the test
// writes one the way an auth-enabled MLflow stores it, in MLflow's own database. Other test files
// share this MLflow: only this file's policies are looked at.

describe('AI-gateway budget reads for non-administrators', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let admin: ApiCaller;
  let endpointId: string;
  const mlflowUrl = inject('mlflowUrl');
  const policies: Record<'global' | 'endpoint' | 'aliceOnly', string> = { global: '', endpoint: '', aliceOnly: '' };

  async function mlflow<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${mlflowUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  }
  const createPolicy = async (scope: 'GLOBAL' | 'ENDPOINT', amount: number, target?: string) =>
    (await mlflow<{ budget_policy: { budget_policy_id: string } }>('POST', '/api/3.0/mlflow/gateway/budgets/create', {
      budget_unit: 'USD', budget_amount: amount, duration: { unit: 'DAYS', value: 1 }, target_scope: scope, budget_action: 'ALERT', ...(target ? { target_value: target } : {}),
    })).budget_policy.budget_policy_id;
  /**
   * Makes a policy USER-scoped in MLflow's own database, as an auth-enabled MLflow stores one (this
   * MLflow will not create it). Only a scope MLflow knows: an unknown one would make MLflow's
   * list fail for every test file sharing it (the unknown-scope rule is budgets.test.ts's).
   */
  const retargetToUser = (id: string, username: string) =>
    execFileSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update budget_policies set target_scope=\'USER\', target_value=? where budget_policy_id=?", (sys.argv[2], sys.argv[3])); c.commit()',
      join(inject('mlflowDataDir'), 'mlflow.db'), username, id]);

  const get = (caller: ApiCaller, id: string) => caller.raw('GET', `/api/3.0/mlflow/gateway/budgets/get?budget_policy_id=${encodeURIComponent(id)}`);
  const list = (caller: ApiCaller, q = '') => caller.raw('GET', `/api/3.0/mlflow/gateway/budgets/list${q}`);
  /** Every policy id a caller lists, following the gateway's page tokens; the page sizes too. */
  async function listAll(caller: ApiCaller, max: number): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    for (let i = 0; i < 500; i++) {
      const r = await list(caller, `?max_results=${max}${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      const page = (r.json.budget_policies ?? []) as { budget_policy_id: string }[];
      pages.push(page.length);
      ids.push(...page.map((p) => p.budget_policy_id));
      token = r.json.next_page_token;
      if (!token) break;
    }
    return { ids, pages };
  }
  const mine = (ids: string[]) => Object.entries(policies).filter(([, id]) => ids.includes(id)).map(([k]) => k).sort();

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob, admin] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'bob'), callerFor(stack, 'admin')]);
    const secret = await mlflow<{ secret: { secret_id: string } }>('POST', '/api/3.0/mlflow/gateway/secrets/create', { secret_name: unique('bkey'), secret_value: { api_key: 'sk-test-not-real' }, provider: 'openai' });
    const def = await mlflow<{ model_definition: { model_definition_id: string } }>('POST', '/api/3.0/mlflow/gateway/model-definitions/create', {
      name: unique('bdef'), secret_id: secret.secret.secret_id, provider: 'openai', model_name: 'gpt-4o',
    });
    endpointId = (await mlflow<{ endpoint: { endpoint_id: string } }>('POST', '/api/3.0/mlflow/gateway/endpoints/create', {
      name: unique('bep'), model_configs: [{ model_definition_id: def.model_definition.model_definition_id, linkage_type: 'PRIMARY', weight: 1 }],
    })).endpoint.endpoint_id;
    // alice's username as the gateway gives it to MLflow (the run author).
    const exp = await alice.post('experiments/create', { name: unique('budget-user') });
    const run = await alice.post('runs/create', { experiment_id: exp.json.experiment_id });
    const username = (run.json.run.data.tags as { key: string; value: string }[]).find((t) => t.key === 'mlflow.user')!.value;
    policies.global = await createPolicy('GLOBAL', 1000);
    policies.endpoint = await createPolicy('ENDPOINT', 50, endpointId);
    policies.aliceOnly = await createPolicy('ENDPOINT', 7, endpointId);
    retargetToUser(policies.aliceOnly, username);
    await bob.get('experiments/search', { max_results: '1' }); // bob's user row exists
  });
  afterAll(async () => {
    for (const id of Object.values(policies)) if (id) await fetch(`${mlflowUrl}/api/3.0/mlflow/gateway/budgets/delete`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ budget_policy_id: id }) });
    await stack?.stop();
  });

  it("a user cannot learn another user's budget (attack: reading a USER-scoped budget policy by id or by listing)", async () => {
    const byId = await get(bob, policies.aliceOnly);
    expect(byId.status).toBe(403);
    expect(byId.json.gateway_code).toBe('GW_DENIED');
    expect(JSON.stringify(byId.json)).not.toMatch(/"budget_amount"|alice/);
    expect(mine((await listAll(bob, 1000)).ids)).toEqual(['global']);
    // The spend windows list only what the list shows.
    const windows = await bob.raw('GET', '/api/3.0/mlflow/gateway/budgets/windows');
    expect(windows.status, JSON.stringify(windows.json)).toBe(200);
    const windowIds = ((windows.json.windows ?? []) as { budget_policy_id: string }[]).map((w) => w.budget_policy_id);
    expect(windowIds).not.toContain(policies.aliceOnly);
    expect(windowIds).not.toContain(policies.endpoint);
    // alice sees her own policy, not the endpoint's (she may not read the endpoint).
    const own = await get(alice, policies.aliceOnly);
    expect(own.status, JSON.stringify(own.json)).toBe(200);
    expect(own.json.budget_policy.budget_amount).toBe(7);
    expect(mine((await listAll(alice, 1000)).ids)).toEqual(['aliceOnly', 'global']);
    expect((await get(alice, policies.endpoint)).json.gateway_code).toBe('GW_DENIED');
  });

  it('an ENDPOINT-scoped policy is seen by those who may read the endpoint; administrators see all, writes stay theirs', async () => {
    expect((await get(bob, policies.endpoint)).status).toBe(403);
    await stack.server.gateway.store.grants.set({ principalType: 'user', principal: await userId(stack, 'bob'), resourceType: 'gateway_endpoint', resourceId: endpointId, level: 'READ' });
    const seen = await get(bob, policies.endpoint);
    expect(seen.status, JSON.stringify(seen.json)).toBe(200);
    expect(seen.json.budget_policy.target_value).toBe(endpointId);
    // Full pages of the visible policies across the gateway's page tokens (one per page here).
    const paged = await listAll(bob, 1);
    expect(mine(paged.ids)).toEqual(['endpoint', 'global']);
    expect(paged.pages.slice(0, -1).every((n) => n === 1)).toBe(true);
    expect(new Set(paged.ids).size).toBe(paged.ids.length);
    // Administrators read everything, MLflow's answer unchanged; writes stay theirs alone.
    expect(mine((await listAll(admin, 1000)).ids)).toEqual(['aliceOnly', 'endpoint', 'global']);
    const write = await bob.raw('POST', '/api/3.0/mlflow/gateway/budgets/update', { body: JSON.stringify({ budget_policy_id: policies.endpoint, budget_amount: 1e9 }), headers: { 'content-type': 'application/json' } });
    expect(write.status).toBe(403);
  });

  it('a page token of another caller or a forged one is refused; MLflow answers what it refuses itself', async () => {
    const first = await list(alice, '?max_results=1');
    const token = first.json.next_page_token as string;
    expect(token).toMatch(/\./); // alice sees two policies at least: the gateway's signed token
    const replay: ApiResult = await list(bob, `?max_results=1&page_token=${encodeURIComponent(token)}`);
    expect(replay.status).toBe(400);
    expect(replay.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    const forged = await list(bob, `?page_token=${Buffer.from(JSON.stringify({ offset: 0 })).toString('base64')}`);
    expect(forged.status).toBe(400);
    const unknown = await get(bob, 'bp-does-not-exist');
    const direct = await fetch(`${mlflowUrl}/api/3.0/mlflow/gateway/budgets/get?budget_policy_id=bp-does-not-exist`);
    expect(unknown.status).toBe(direct.status);
    expect(unknown.json.error_code).toBe(((await direct.json()) as { error_code: string }).error_code);
  });
});
