import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { runPython } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';

// Personal access tokens end to end: minted through the gateway's API with a real IdP token,
// used by the stock MLflow Python client as Bearer and as Basic password, against real MLflow.

const LOG_RUN = `
import os, time, mlflow
mlflow.set_tracking_uri(os.environ["GW_URL"])
mlflow.set_experiment(os.environ["EXP_NAME"])
with mlflow.start_run() as run:
    mlflow.log_param("alpha", "0.5")
    for step in range(int(os.environ.get("STEPS", "2"))):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        time.sleep(float(os.environ.get("SLEEP", "0")))
print("RUN_ID=" + run.info.run_id)
`;

interface TokenInfo {
  id: string;
  name: string;
  token: string;
  prefix: string;
  read_only: boolean;
}

describe('personal access tokens', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let admin: ApiCaller;
  let bob: ApiCaller;

  const mint = async (caller: ApiCaller, body: Record<string, unknown>): Promise<TokenInfo> => {
    const res = await caller.raw('POST', '/_gateway/api/v1/tokens', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return res.json as TokenInfo;
  };
  const withToken = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

  beforeAll(async () => {
    // IdP access tokens live 5 s here: a PAT must outlive them.
    stack = await startStack({ idp: { accessTokenTtlSeconds: 5 }, env: { GATEWAY_AUTH_FAILURE_LIMIT: '1000' } });
    [alice, admin, bob] = await Promise.all([callerFor(stack, 'alice', { freshTokens: true }), callerFor(stack, 'admin', { freshTokens: true }), callerFor(stack, 'bob', { freshTokens: true })]);
  });
  afterAll(async () => stack?.stop());

  it('the MLflow client logs a run with a PAT as Bearer, longer than the IdP token lives', async () => {
    const t = await mint(alice, { name: unique('laptop'), expires_in_days: 30 });
    expect(t.token).toMatch(/^mog_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}$/);
    expect(t.prefix).toBe(`mog_${t.id}`);
    const r = await runPython(LOG_RUN, { GW_URL: stack.gatewayUrl, EXP_NAME: unique('pat-bearer'), MLFLOW_TRACKING_TOKEN: t.token, STEPS: '4', SLEEP: '2.5' });
    if (r.code !== 0) console.log(stack.logs.filter((l) => /"level":(40|50)/.test(l)).slice(-10).join('\n'));
    expect(r.code, r.stderr).toBe(0);
    const runId = /RUN_ID=(\w+)/.exec(r.stdout)![1]!;
    const run = (await (await withToken(t.token, 'GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).json()) as any;
    expect(run.run.data.metrics).toEqual([expect.objectContaining({ key: 'loss', step: 3 })]);
    expect(run.run.info.user_id).toBe('alice');
  });

  it('the MLflow client logs a run with MLFLOW_TRACKING_USERNAME/PASSWORD (Basic)', async () => {
    const t = await mint(alice, { name: unique('basic') });
    const r = await runPython(LOG_RUN, { GW_URL: stack.gatewayUrl, EXP_NAME: unique('pat-basic'), MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: t.token });
    expect(r.code, r.stderr).toBe(0);
    const wrongUser = await runPython(LOG_RUN, { GW_URL: stack.gatewayUrl, EXP_NAME: unique('pat-basic'), MLFLOW_TRACKING_USERNAME: 'bob', MLFLOW_TRACKING_PASSWORD: t.token });
    expect(wrongUser.code).not.toBe(0);
    expect(wrongUser.stderr).toMatch(/UNAUTHENTICATED: The token is not valid/);
  });

  it('lists tokens without their secrets; revoked, rotated-out and expired tokens are refused and write nothing', async () => {
    const exp = await alice.post('experiments/create', { name: unique('pat-writes') });
    const expId = exp.json.experiment_id as string;
    const runId = (await alice.post('runs/create', { experiment_id: expId })).json.run.info.run_id as string;
    const metric = (token: string) => withToken(token, 'POST', '/api/2.0/mlflow/runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: Date.now(), step: 0 });

    const revoked = await mint(alice, { name: unique('revoked') });
    const rotated = await mint(alice, { name: unique('rotated') });
    const expiring = await mint(alice, { name: unique('expiring'), expires_in_days: 1 / 86400 }); // one second

    const list = await alice.raw('GET', '/_gateway/api/v1/tokens');
    expect(JSON.stringify(list.json)).not.toContain(revoked.token.slice(18));
    expect((list.json.tokens as TokenInfo[]).map((t) => t.id)).toEqual(expect.arrayContaining([revoked.id, rotated.id]));

    expect((await alice.raw('DELETE', `/_gateway/api/v1/tokens/${revoked.id}`)).status).toBe(204);
    const rot = await alice.raw('POST', `/_gateway/api/v1/tokens/${rotated.id}/rotate`);
    expect(rot.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));

    for (const [what, token, message] of [['revoked', revoked.token, /revoked/], ['rotated-out', rotated.token, /not valid/], ['expired', expiring.token, /expired/]] as const) {
      const res = await metric(token);
      expect(res.status, what).toBe(401);
      expect(((await res.json()) as { message: string }).message, what).toMatch(message);
    }
    expect((await metric(rot.json.token as string)).status).toBe(200);
    const history = await alice.get('metrics/get-history', { run_id: runId, metric_key: 'm' });
    expect(history.json.metrics).toHaveLength(1); // only the rotated-in token wrote
  });

  it('read-only-token-write: a read-only token reads but can never write, create or administer', async () => {
    const exp = await alice.post('experiments/create', { name: unique('ro') });
    const expId = exp.json.experiment_id as string;
    const ro = await mint(alice, { name: unique('ro'), read_only: true });
    expect((await withToken(ro.token, 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${expId}`)).status).toBe(200);
    expect((await withToken(ro.token, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: expId })).status).toBe(403);
    expect((await withToken(ro.token, 'POST', '/api/2.0/mlflow/experiments/create', { name: unique('nope') })).status).toBe(403);
    const adminRo = await mint(admin, { name: unique('admin-ro'), read_only: true });
    expect((await withToken(adminRo.token, 'POST', '/api/2.0/mlflow/experiments/delete', { experiment_id: expId })).status).toBe(403);
    expect((await withToken(adminRo.token, 'POST', '/api/2.0/mlflow/webhooks', { name: 'x', url: 'http://127.0.0.1:9/', events: [] })).status).toBe(403);
    const grant = await withToken(adminRo.token, 'PUT', '/_gateway/api/v1/grants', { principal_type: 'user', principal: 'bob', resource_type: 'experiment', resource_id: expId, level: 'READ' });
    expect(grant.status).toBe(403);
  });

  it('scoped-token-escape: a token limited to one experiment reaches nothing else', async () => {
    const a = (await alice.post('experiments/create', { name: unique('scoped-a') })).json.experiment_id as string;
    const b = (await alice.post('experiments/create', { name: unique('scoped-b') })).json.experiment_id as string;
    const t = await mint(alice, { name: unique('scoped'), scope: [{ type: 'experiment', id: a }] });
    expect((await withToken(t.token, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: a })).status).toBe(200);
    expect((await withToken(t.token, 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${b}`)).status).toBe(403);
    expect((await withToken(t.token, 'POST', '/api/2.0/mlflow/experiments/create', { name: unique('x') })).status).toBe(403);
  });

  it('token-mints-token: a personal token cannot create or rotate tokens', async () => {
    const t = await mint(alice, { name: unique('parent') });
    expect((await withToken(t.token, 'POST', '/_gateway/api/v1/tokens', { name: 'child' })).status).toBe(403);
    expect((await withToken(t.token, 'POST', `/_gateway/api/v1/tokens/${t.id}/rotate`)).status).toBe(403);
  });

  it('a token acts with its owner\'s grants at the time of use: a revoked grant or a disabled owner stops it at once', async () => {
    const exp = (await admin.post('experiments/create', { name: unique('shared') })).json.experiment_id as string;
    const t = await mint(bob, { name: unique('bob') });
    const bobUser = (await stack.server.gateway.store.users.getByUsername('bob'))!;
    const store = stack.server.gateway.store;
    await store.grants.set({ principalType: 'user', principal: bobUser.id, resourceType: 'experiment', resourceId: exp, level: 'READ' });
    expect((await withToken(t.token, 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${exp}`)).status).toBe(200);
    await store.grants.delete('user', bobUser.id, 'experiment', exp);
    expect((await withToken(t.token, 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${exp}`)).status).toBe(403);
    await store.users.setDisabled(bobUser.id, true);
    try {
      const res = await withToken(t.token, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1');
      expect(res.status).toBe(403);
      expect(((await res.json()) as { gateway_code: string }).gateway_code).toBe('GW_USER_DISABLED');
    } finally {
      await store.users.setDisabled(bobUser.id, false);
    }
  });

  it('administrators list and revoke anyone\'s tokens; others cannot', async () => {
    const t = await mint(bob, { name: unique('victim') });
    expect((await alice.raw('GET', '/_gateway/api/v1/tokens?user=bob')).status).toBe(403);
    expect((await alice.raw('DELETE', `/_gateway/api/v1/tokens/${t.id}`)).status).toBe(404);
    const all = await admin.raw('GET', '/_gateway/api/v1/tokens?user=bob');
    expect((all.json.tokens as TokenInfo[]).map((x) => x.id)).toContain(t.id);
    expect((await admin.raw('DELETE', `/_gateway/api/v1/tokens/${t.id}`)).status).toBe(204);
    expect((await withToken(t.token, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1')).status).toBe(401);
    const audit = await stack.server.gateway.store.audit.list({ limit: 500 });
    expect(audit.filter((e) => e.resource === `token:${t.id}`).map((e) => e.action).sort()).toEqual(['token.create', 'token.revoke']);
  });

  it('token-secret-in-logs: no token secret reaches a log line', async () => {
    const t = await mint(alice, { name: unique('logged') });
    await withToken(t.token, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1');
    await withToken(`${t.token.slice(0, -1)}X`, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1');
    const secret = t.token.slice(`mog_${t.id}_`.length);
    expect(stack.logs.join('\n')).not.toContain(secret);
  });
});
