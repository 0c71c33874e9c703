import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callerFor, unique, userId, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue #16 over the REST API: grants on runs (children) decide for that run, DENY beats every
// grant, and runs/search honours both with full pages and the gateway's continuation tokens.
// alice (team-a) owns the experiment; bob gets run grants only; carol (team-a, team-b) is denied.

describe('permission model: child grants and DENY', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let carol: ApiCaller;
  let exp: string;
  let runs: string[];
  const grant = (g: Parameters<Stack['server']['gateway']['store']['grants']['set']>[0]) => stack.server.gateway.store.grants.set(g);

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob, carol] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'bob'), callerFor(stack, 'carol')]);
    const created = await alice.post('experiments/create', { name: unique('child-grants') });
    expect(created.status).toBe(200);
    exp = created.json.experiment_id;
    runs = [];
    for (let i = 0; i < 12; i++) {
      const r = await alice.post('runs/create', { experiment_id: exp, run_name: `run-${String(i).padStart(2, '0')}` });
      expect(r.status).toBe(200);
      runs.push(r.json.run.info.run_id);
    }
    // Every caller has used the gateway once (their user rows exist for user grants).
    await Promise.all([bob.get('experiments/get', { experiment_id: exp }), carol.get('experiments/get', { experiment_id: exp })]);
  });
  afterAll(async () => stack?.stop());

  /** Every run id the caller gets from runs/search, following the gateway's page tokens. */
  async function searchAll(caller: ApiCaller, maxResults: number): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = await caller.post('runs/search', { experiment_ids: [exp], max_results: maxResults, order_by: ['attributes.run_name ASC'], ...(token ? { page_token: token } : {}) });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      const page = (r.json.runs ?? []) as { info: { run_id: string } }[];
      pages.push(page.length);
      ids.push(...page.map((x) => x.info.run_id));
      token = r.json.next_page_token;
      if (!token) break;
    }
    return { ids, pages };
  }

  it('a run grant opens that run and nothing else of its experiment (runs/search asks MLflow for the granted runs only)', async () => {
    const bobId = await userId(stack, 'bob');
    await grant({ principalType: 'user', principal: bobId, resourceType: 'run', resourceId: runs[3]!, level: 'READ' });
    await grant({ principalType: 'user', principal: bobId, resourceType: 'run', resourceId: runs[7]!, level: 'EDIT' });
    expect((await bob.get('runs/get', { run_id: runs[3]! })).status).toBe(200);
    expect((await bob.get('runs/get', { run_id: runs[4]! })).json.gateway_code).toBe('GW_DENIED');
    expect((await bob.get('experiments/get', { experiment_id: exp })).json.gateway_code).toBe('GW_DENIED');
    // READ on run 3 does not let bob write it; EDIT on run 7 does.
    expect((await bob.post('runs/log-metric', { run_id: runs[3]!, key: 'x', value: 1, timestamp: 1 })).json.gateway_code).toBe('GW_DENIED');
    expect((await bob.post('runs/log-metric', { run_id: runs[7]!, key: 'x', value: 1, timestamp: 1 })).status).toBe(200);
    const all = await searchAll(bob, 1);
    expect(all.ids).toEqual([runs[3], runs[7]]);
    expect(all.pages).toEqual([1, 1]);
    const decision = stack.logs.filter((l) => l.includes('runs/search')).pop() ?? '';
    expect(decision).toMatch(/runs \(ids, 1 items/);
    // An invalid max_results on this (run-grant) search path gets MLflow's own answer, not the gateway's wording.
    for (const max_results of [60_000, 'lots']) {
      const body = { experiment_ids: [exp], max_results };
      const mine = await bob.post('runs/search', body);
      const direct = await fetch(`${inject('mlflowUrl')}/api/2.0/mlflow/runs/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(mine.status, JSON.stringify(mine.json)).toBe(direct.status);
      expect(mine.json).toEqual(await direct.json());
    }
  });

  it('DENY beats group and pattern grants, on the experiment and on one run', async () => {
    await grant({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: exp, level: 'READ' });
    // carol reads through team-b (and team-a's pattern rule below) until a DENY says otherwise.
    expect((await carol.get('runs/get', { run_id: runs[0]! })).status).toBe(200);
    const rule = await stack.server.gateway.store.grants.addPattern({ principalType: 'group', principal: 'team-a', resourceType: 'run', matcher: 'glob', pattern: 'run-1*', level: 'DENY' });
    const carolRuns = await searchAll(carol, 5);
    expect(carolRuns.ids).toEqual(runs.slice(0, 10)); // run-10, run-11 denied by the rule
    expect(carolRuns.pages.filter((n) => n > 0)).toEqual([5, 5]); // full pages despite the denied runs (a last empty page may follow)
    const denied = await carol.get('runs/get', { run_id: runs[11]! });
    expect(denied.json.gateway_code).toBe('GW_DENIED');
    // The refusal names only what carol sent; the deciding rule is the detail in the access log.
    expect(denied.json.message).toContain(`run '${runs[11]!}'`);
    expect(denied.json.message).not.toMatch(/pattern rule|team-a/);
    expect(stack.logs.some((l) => l.includes(runs[11]!) && /"decision_detail":"[^"]*DENY: pattern rule .* denies group team-a on run/.test(l))).toBe(true);

    await grant({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', resourceId: exp, level: 'DENY' });
    const r = await carol.get('runs/get', { run_id: runs[0]! });
    expect(r.json.gateway_code).toBe('GW_DENIED');
    expect(r.json.message).not.toMatch(/group grant|team-a/);
    expect(stack.logs.some((l) => l.includes(runs[0]!) && /"decision_detail":"[^"]*DENY: group grant denies group team-a on run .*'s parent experiment/.test(l))).toBe(true);
    expect((await searchAll(carol, 5)).ids).toEqual([]);
    // alice is in team-a too: the DENY binds the owner's MANAGE as well.
    expect((await alice.get('experiments/get', { experiment_id: exp })).json.gateway_code).toBe('GW_DENIED');
    await stack.server.gateway.store.grants.delete('group', 'team-a', 'experiment', exp);
    await stack.server.gateway.store.grants.deletePattern(rule.id);
  });

  it('an administrator\'s override_parent_deny on a run grant lifts the experiment DENY for that run only', async () => {
    const bobId = await userId(stack, 'bob');
    await grant({ principalType: 'user', principal: bobId, resourceType: 'experiment', resourceId: exp, level: 'DENY' });
    expect((await bob.get('runs/get', { run_id: runs[3]! })).json.gateway_code).toBe('GW_DENIED');
    await grant({ principalType: 'user', principal: bobId, resourceType: 'run', resourceId: runs[3]!, level: 'READ', overrideParentDeny: true });
    expect((await bob.get('runs/get', { run_id: runs[3]! })).status).toBe(200);
    expect((await bob.get('runs/get', { run_id: runs[7]! })).json.gateway_code).toBe('GW_DENIED');
    await stack.server.gateway.store.grants.delete('user', bobId, 'experiment', exp);
  });

  it('the admin API refuses override_parent_deny from a non-administrator and on a parent resource', async () => {
    const api = `${stack.gatewayUrl}/_gateway/api/v1/grants`;
    const put = async (caller: ApiCaller, body: unknown) => {
      const res = await fetch(api, { method: 'PUT', headers: { authorization: `Bearer ${caller.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, any> };
    };
    const onParent = await put(alice, { principal_type: 'user', principal: 'bob', resource_type: 'experiment', resource_id: exp, level: 'READ', override_parent_deny: true });
    expect(onParent.status).toBe(400);
    expect(onParent.json.message).toMatch(/only for grants on a child resource/);
    // alice holds MANAGE on the experiment (and so on its runs) but is no administrator.
    const byOwner = await put(alice, { principal_type: 'user', principal: 'bob', resource_type: 'run', resource_id: runs[5]!, level: 'READ', override_parent_deny: true });
    expect(byOwner.status).toBe(403);
    expect(byOwner.json.message).toMatch(/Only administrators may set override_parent_deny/);
    const plain = await put(alice, { principal_type: 'user', principal: 'bob', resource_type: 'run', resource_id: runs[5]!, level: 'DENY' });
    expect(plain.status).toBe(200);
    expect(plain.json.grant).toMatchObject({ resource_type: 'run', level: 'DENY' });
  });

  it('protected tag keys hold on every route that writes tags (set-tag, log-batch, runs/create), with the rule named; the admin API validates and audits rules', async () => {
    const api = `${stack.gatewayUrl}/_gateway/api/v1`;
    const adminToken = (await stack.idp.getTokens('admin')).access_token;
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${api}/${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: (await res.json()) as Record<string, any> };
    };
    expect((await call('POST', 'protected-keys', alice.token, { resource_type: 'run', target: 'tag', key_pattern: 'approved*', required_level: 'MANAGE' })).status).toBe(403);
    expect((await call('POST', 'protected-keys', adminToken, { resource_type: 'run', target: 'alias', key_pattern: 'x', allowed_groups: ['g'] })).json.message).toMatch(/Aliases exist on registered models and prompts only/);
    expect((await call('POST', 'protected-keys', adminToken, { resource_type: 'run', target: 'tag', key_pattern: 'x' })).json.message).toMatch(/needs required_level, allowed_groups, or both/);
    const added = await call('POST', 'protected-keys', adminToken, { resource_type: 'run', target: 'tag', key_pattern: 'approved*', allowed_groups: ['release-managers'] });
    expect(added.status).toBe(201);
    const id = added.json.protected_key.id as string;
    try {
      // alice owns the experiment (MANAGE) but is not in release-managers.
      const setTag = await alice.post('runs/set-tag', { run_id: runs[0]!, key: 'approved-by', value: 'alice' });
      expect(setTag.status).toBe(403);
      expect(setTag.json.gateway_code).toBe('GW_PROTECTED_KEY');
      expect(setTag.json.message).toContain(`rule ${id}`);
      const batch = await alice.post('runs/log-batch', { run_id: runs[0]!, tags: [{ key: 'ok', value: '1' }, { key: 'approved', value: 'yes' }] });
      expect(batch.json.gateway_code).toBe('GW_PROTECTED_KEY');
      const create = await alice.post('runs/create', { experiment_id: exp, tags: [{ key: 'approved', value: 'yes' }] });
      expect(create.json.gateway_code).toBe('GW_PROTECTED_KEY');
      // A request the gateway reads as one MLflow refuses anyway (a wrongly typed field) still has its
      // protected keys checked: the protection never rests on the gateway's reading of MLflow.
      const mistyped = await alice.post('runs/log-batch', { run_id: runs[0]!, metrics: 'not-a-list', tags: [{ key: 'approved', value: 'yes' }] });
      expect(mistyped.json.gateway_code).toBe('GW_PROTECTED_KEY');
      // Tags of the wrong shape name no key: MLflow gives its own answer (here: its validation error).
      const shapeless = await alice.post('runs/log-batch', { run_id: runs[0]!, tags: 'approved' });
      expect(shapeless.json.gateway_code).toBeUndefined();
      expect(shapeless.json.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect((await alice.post('runs/set-tag', { run_id: runs[0]!, key: 'note', value: 'free' })).status).toBe(200);
      const ajax = await alice.raw('POST', '/ajax-api/2.0/mlflow/runs/set-tag', { body: JSON.stringify({ run_id: runs[0]!, key: 'approved', value: 'x' }), headers: { 'content-type': 'application/json' } });
      expect(ajax.json.gateway_code).toBe('GW_PROTECTED_KEY');
      const audit = await stack.server.gateway.store.audit.list({ limit: 50, action: 'protected-key.add' });
      expect(audit.map((e) => e.resource)).toContain(`protected-key:${id}`);
    } finally {
      expect((await call('DELETE', `protected-keys/${id}`, adminToken)).status).toBe(200);
    }
    expect((await alice.post('runs/set-tag', { run_id: runs[0]!, key: 'approved-by', value: 'alice' })).status).toBe(200);
  });
});
