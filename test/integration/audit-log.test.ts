import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { signIn, signOut } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// The audit log end to end: proxied MLflow calls (denied ones and allowed writes) become audit
// rows and log lines; the audit API filters, pages and exports them; non-admins see their own.
describe('audit log', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let adminToken: string;
  let experimentId: string;
  let experimentName: string;
  const store = () => stack.server.gateway.store;
  const api = (path: string, token: string) => adminApi(stack, 'GET', path, { token });

  beforeAll(async () => {
    stack = await startStack({ basePath: '/mlflow' });
    alice = await callerFor(stack, 'alice');
    bob = await callerFor(stack, 'bob');
    adminToken = (await stack.idp.getTokens('admin')).access_token;
    await api('users', adminToken);
    experimentName = unique('audited');
    const created = await alice.post('experiments/create', { name: experimentName });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    experimentId = created.json.experiment_id as string;
  });
  afterAll(async () => stack?.stop());

  const eventually = <T>(fn: () => Promise<T>) => vi.waitFor(fn, { timeout: 5000, interval: 50 });

  it('records an allowed write through the proxy with actor, resource, decision, request id and client IP', async () => {
    await eventually(async () => {
      const rows = await store().audit.list({ limit: 50, actor: 'alice', action: 'request.write' });
      expect(rows).toContainEqual(expect.objectContaining({
        // Creation routes read their body now (references: an artifact_location), so the name is known.
        resource: `experiment:${experimentName}`, decision: 'allow', requestId: expect.any(String), clientIp: '127.0.0.1',
        reason: expect.stringContaining('POST CreateExperiment → 200'),
      }));
    });
    const run = await alice.post('runs/create', { experiment_id: experimentId });
    expect(run.status).toBe(200);
    const del = await alice.post('runs/delete', { run_id: run.json.run.info.run_id });
    expect(del.status).toBe(200);
    await eventually(async () => {
      const deletes = await store().audit.list({ limit: 50, actor: 'alice', action: 'request.delete' });
      expect(deletes).toContainEqual(expect.objectContaining({ resource: `run:${run.json.run.info.run_id}`, decision: 'allow' }));
    });
  });

  it('records nothing for reads and searches', async () => {
    const before = (await store().audit.list({ limit: 1 }))[0]!.seq;
    expect((await alice.get('experiments/get', { experiment_id: experimentId })).status).toBe(200);
    expect((await alice.post('runs/search', { experiment_ids: [experimentId] })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await store().audit.list({ limit: 10, beforeSeq: Number.MAX_SAFE_INTEGER, actor: 'alice' }).then((r) => r.filter((e) => e.seq > before))).toEqual([]);
  });

  it('records denied requests: a forbidden write, an anonymous API call, a bad token — and never the token or the query', async () => {
    const denied = await bob.post('experiments/delete', { experiment_id: experimentId });
    expect(denied.status).toBe(403);
    const anon = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}&secret_query=s3cr3t`);
    expect(anon.status).toBe(401);
    const badToken = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: 'Bearer mog_abcdefabcdef_0000000000000000000000000000000000000000000' } });
    expect(badToken.status).toBe(401);
    await eventually(async () => {
      const rows = await store().audit.list({ limit: 50, action: 'request.denied' });
      expect(rows).toContainEqual(expect.objectContaining({
        actor: 'bob', resource: `experiment:${experimentId}`, decision: 'deny', reason: expect.stringMatching(/DeleteExperiment → 403.*needs MANAGE/),
      }));
      expect(rows).toContainEqual(expect.objectContaining({ actor: null, decision: 'deny', reason: expect.stringContaining('GetExperiment → 401') }));
      expect(rows.filter((r) => r.reason?.includes('SearchExperiments → 401'))).toHaveLength(1);
    });
    const all = JSON.stringify(await store().audit.list({ limit: 500 })) + stack.logs.join('\n');
    expect(all).not.toContain('s3cr3t');
    expect(all).not.toContain('mog_abcdefabcdef_0000');
    expect(all).not.toContain(bob.token.split('.')[2]);
  });

  it('a denied GraphQL request and a denied proxied request that name a run record the run as the Resource', async () => {
    const run = await alice.post('runs/create', { experiment_id: experimentId });
    const runId = run.json.run.info.run_id as string;
    const gql = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST', headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: `query { mlflowGetRun(input: { runId: "${runId}" }) { run { info { runId } } } }` }),
    });
    expect(gql.status).toBe(403);
    expect((await bob.get('runs/get', { run_id: runId })).status).toBe(403);
    await eventually(async () => {
      const rows = await store().audit.list({ limit: 50, actor: 'bob', action: 'request.denied' });
      expect(rows).toContainEqual(expect.objectContaining({ resource: `run:${runId}`, reason: expect.stringContaining('POST _graphql → 403') }));
      expect(rows).toContainEqual(expect.objectContaining({ resource: `run:${runId}`, reason: expect.stringContaining('GetRun → 403') }));
    });
  });

  it('emits every audit event as a JSON log line too', async () => {
    const lines = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'audit');
    expect(lines).toContainEqual(expect.objectContaining({ action: 'request.denied', actor: 'bob', decision: 'deny', request_id: expect.any(String), client_ip: '127.0.0.1' }));
    expect(lines).toContainEqual(expect.objectContaining({ action: 'grant.create', actor: 'alice' }));
  });

  it('records sign-in and sign-out', async () => {
    const { browser } = await signIn(stack, 'carol');
    await signOut(stack, browser, { stopAt: (u) => u.startsWith(stack.idp.issuer) });
    const rows = await store().audit.list({ limit: 20, actor: 'carol' });
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['login', 'logout']));
    // A callback that cannot complete (no sign-in cookie, forged state) is a refused sign-in.
    const forged = await fetch(`${stack.gatewayUrl}/_gateway/callback?code=stolen-code&state=forged`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    await eventually(async () => {
      const failed = await store().audit.list({ limit: 5, action: 'login.failed' });
      expect(failed).toEqual([expect.objectContaining({ actor: null, decision: 'deny', reason: expect.stringMatching(/^GW_LOGIN_FAILED: /) })]);
      expect(failed[0]!.reason).not.toContain('stolen-code');
    });
  });

  describe('API', () => {
    it('admin: filters by actor, action prefix, decision, resource and time; pages with a cursor', async () => {
      const denied = await api('audit?decision=deny&action=request.*', adminToken);
      expect(denied.status).toBe(200);
      expect(denied.json.events.length).toBeGreaterThanOrEqual(3);
      expect(denied.json.events.every((e: { decision: string }) => e.decision === 'deny')).toBe(true);
      const byResource = await api(`audit?resource=experiment:${experimentId}`, adminToken);
      expect(byResource.json.events.map((e: { actor: string }) => e.actor)).toContain('bob');
      const page1 = await api('audit?limit=2', adminToken);
      expect(page1.json.events).toHaveLength(2);
      expect(page1.json.next_cursor).toEqual(String(page1.json.events[1].seq));
      const page2 = await api(`audit?limit=2&cursor=${page1.json.next_cursor}`, adminToken);
      expect(page2.json.events[0].seq).toBeLessThan(page1.json.events[1].seq);
      const future = await api('audit?from=2999-01-01', adminToken);
      expect(future.json).toEqual({ events: [], next_cursor: null });
      const bad = await api('audit?from=yesterday', adminToken);
      expect(bad.status).toBe(400);
      expect(bad.json.gateway_code).toBe('GW_BAD_REQUEST');
    });

    it('a non-admin sees only their own events and may not ask for others\'', async () => {
      const own = await api('audit', alice.token);
      expect(own.status).toBe(200);
      expect(own.json.events.length).toBeGreaterThan(0);
      expect(own.json.events.every((e: { actor: string }) => e.actor === 'alice')).toBe(true);
      const other = await api('audit?actor=bob', alice.token);
      expect(other.status).toBe(403);
      expect(other.json.gateway_code).toBe('GW_DENIED');
      expect((await fetch(`${stack.gatewayUrl}/_gateway/api/v1/audit`)).status).toBe(401);
    });

    it('exports CSV and JSON with the same filters', async () => {
      const csv = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/audit/export?format=csv&actor=bob`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
      expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="gateway-audit-.*\.csv"/);
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe('seq,time,actor,action,resource,decision,reason,request_id,client_ip');
      expect(lines.slice(1).every((l) => l.split(',')[2] === 'bob')).toBe(true);
      const json = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/audit/export?format=json&decision=deny`, { headers: { authorization: `Bearer ${adminToken}` } });
      const rows = (await json.json()) as { decision: string }[];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.decision === 'deny')).toBe(true);
      const bad = await adminApi(stack, 'GET', 'audit/export?format=xml', { token: adminToken });
      expect(bad.json.gateway_code).toBe('GW_BAD_REQUEST');
    });
  });

  it('prunes events older than the retention', async () => {
    await store().audit.append({ time: new Date(Date.now() - 400 * 86400_000), actor: 'old', action: 'login', resource: null, decision: 'allow', reason: null, requestId: null, clientIp: null });
    const { startAuditRetention } = await import('../../src/audit/retention.js');
    const pruner = startAuditRetention(store(), stack.config.auditRetention, { info: () => undefined, warn: () => undefined });
    expect(await pruner.pruneNow()).toBe(1);
    pruner.stop();
    expect(await store().audit.list({ limit: 10, actor: 'old' })).toEqual([]);
  });
});
