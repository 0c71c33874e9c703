import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { runPython } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';
import { startWorkloadIssuer, type WorkloadIssuer } from '../support/workload-issuer.js';

// Workload identity federation against real parts: the gateway and MLflow, the test IdP for the
// administrator, and two more real JWT issuers on 127.0.0.1 — one shaped like a Kubernetes API
// server (keys at /openid/v1/jwks, named by the rule), one like GitHub's Actions token service
// (keys found through its discovery document). No secret is stored for either: the issuer's
// signature, the audience and the claim conditions decide. Refusals are named after the attack.

const LOG_RUN = `
import os, mlflow
mlflow.set_tracking_uri(os.environ["GW_URL"])
mlflow.set_experiment(os.environ["EXP_NAME"])
with mlflow.start_run() as run:
    mlflow.log_metric("accuracy", 0.9)
print("RUN_ID=" + run.info.run_id)
`;
const SEARCH = '/api/2.0/mlflow/experiments/search?max_results=1';

// The README's Kubernetes wrapper (examples/kubernetes/mlflow_token_file.py), run as documented: the
// first token in the file has expired, the kubelet writes a new one, the running client picks it up.
const ROTATED_RUN = `
import os, sys, mlflow
import mlflow_token_file
from mlflow.exceptions import MlflowException
mlflow.set_tracking_uri(os.environ["GW_URL"])
try:
    mlflow.set_experiment(os.environ["EXP_NAME"])
    sys.exit("the expired token was accepted")
except MlflowException as e:
    assert "expired" in str(e), str(e)
with open(os.environ["MLFLOW_TOKEN_FILE"], "w") as f:
    f.write(os.environ["RENEWED_TOKEN"])
mlflow_token_file.refresh()
mlflow.set_experiment(os.environ["EXP_NAME"])
with mlflow.start_run() as run:
    mlflow.log_metric("accuracy", 0.95)
print("RUN_ID=" + run.info.run_id)
`;
const EXAMPLES = resolve(import.meta.dirname, '../../examples/kubernetes');

describe('workload identity federation', () => {
  let stack: Stack;
  let admin: ApiCaller;
  let k8s: WorkloadIssuer;
  let github: WorkloadIssuer;
  let stranger: WorkloadIssuer;
  let audience: string;
  const K8S_ACCOUNT = 'k8s-trainer';
  const GH_ACCOUNT = 'gh-release';

  const api = async (method: string, path: string, body?: unknown) =>
    admin.raw(method, `/_gateway/api/v1/${path}`, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const call = (token: string, method = 'GET', path = SEARCH, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const k8sClaims = (over: Record<string, unknown> = {}) => ({
    aud: [audience], sub: 'system:serviceaccount:ml-train:trainer',
    'kubernetes.io': { namespace: 'ml-train', serviceaccount: { name: 'trainer', uid: 'f3a1' }, pod: { name: 'train-7d9', uid: '9c2e' } },
    ...over,
  });
  const ghClaims = (over: Record<string, unknown> = {}) => ({
    aud: audience, sub: 'repo:acme/models:environment:production', repository: 'acme/models', repository_owner: 'acme',
    ref: 'refs/heads/main', ref_type: 'branch', environment: 'production', workflow: 'release', actor: 'octocat', event_name: 'push', ...over,
  });
  async function expectRefused(token: string, message: RegExp): Promise<{ message: string }> {
    const res = await call(token);
    const body = (await res.json()) as { gateway_code: string; message: string };
    expect(res.status, JSON.stringify(body)).toBe(401);
    expect(body.gateway_code).toBe('GW_INVALID_TOKEN');
    expect(body.message).toMatch(message);
    return body;
  }

  beforeAll(async () => {
    [stack, k8s, github, stranger] = await Promise.all([startStack(), startWorkloadIssuer(), startWorkloadIssuer({ jwksPath: '/.well-known/jwks' }), startWorkloadIssuer()]);
    audience = stack.gatewayUrl;
    admin = await callerFor(stack, 'admin', { freshTokens: true });
    for (const name of [K8S_ACCOUNT, GH_ACCOUNT]) expect((await api('POST', 'service-accounts', { name })).status).toBe(201);
    const k8sRule = await api('POST', 'trust-rules', {
      name: 'cluster-training', preset: 'kubernetes', issuer: k8s.issuer, jwks_url: k8s.jwksUri, audience, service_account: K8S_ACCOUNT,
      conditions: [{ claim: 'namespace', value: 'ml-train' }, { claim: 'service_account', value: 'trainer' }],
    });
    expect(k8sRule.status, JSON.stringify(k8sRule.json)).toBe(201);
    const ghRule = await api('POST', 'trust-rules', {
      name: 'gh-release', preset: 'github-actions', issuer: github.issuer, audience, service_account: GH_ACCOUNT,
      conditions: [{ claim: 'repository', value: 'acme/models' }, { claim: 'ref', value: 'refs/heads/*', matcher: 'glob' }, { claim: 'environment', value: 'production' }],
    });
    expect(ghRule.status, JSON.stringify(ghRule.json)).toBe(201);
  });
  afterAll(async () => {
    await Promise.all([stack?.stop(), k8s?.stop(), github?.stop(), stranger?.stop()]);
  });

  it('the MLflow client logs a run with a Kubernetes service-account token as MLFLOW_TRACKING_TOKEN, attributed to the service account', async () => {
    const token = await k8s.mint(k8sClaims());
    const r = await runPython(LOG_RUN, { GW_URL: stack.gatewayUrl, EXP_NAME: unique('federated'), MLFLOW_TRACKING_TOKEN: token });
    expect(r.code, r.stderr).toBe(0);
    const runId = /RUN_ID=(\w+)/.exec(r.stdout)![1]!;
    const run = (await (await call(token, 'GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).json()) as any;
    expect(run.run.info.user_id).toBe(K8S_ACCOUNT);
    expect(stack.logs.some((l) => l.includes('"auth":"federated"') && l.includes('"trust_rule":"cluster-training"'))).toBe(true);
  });

  it('a long job re-reads its renewed projected token from the file (the README\'s wrapper); the running MLflow client uses the new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projected-token-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, await k8s.mint(k8sClaims(), { expiresIn: -3600 }));
      const r = await runPython(ROTATED_RUN, {
        GW_URL: stack.gatewayUrl, EXP_NAME: unique('projected'), PYTHONPATH: EXAMPLES, PYTHONDONTWRITEBYTECODE: '1', MLFLOW_TOKEN_FILE: file, RENEWED_TOKEN: await k8s.mint(k8sClaims()),
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/RUN_ID=\w+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a GitHub-Actions-style token acts as its service account, with the keys found through the issuer\'s discovery document', async () => {
    const token = await github.mint(ghClaims());
    const created = await call(token, 'POST', '/api/2.0/mlflow/experiments/create', { name: unique('gh') });
    expect(created.status).toBe(200);
    const { experiment_id: exp } = (await created.json()) as { experiment_id: string };
    const run = (await (await call(token, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp })).json()) as any;
    expect(run.run.info.user_id).toBe(GH_ACCOUNT);
    expect(github.hits.discovery).toBeGreaterThan(0);
    // The Kubernetes account holds nothing on the experiment the release account created.
    expect((await call(await k8s.mint(k8sClaims()), 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${exp}`)).status).toBe(403);
  });

  it('wrong-audience: a genuine token minted for another service is refused', async () => {
    await expectRefused(await k8s.mint(k8sClaims({ aud: ['https://vault.example.com'] })), /audience/);
  });

  it('wrong-workload: a genuine token of another repository, branch or namespace is refused without revealing what the rule expects', async () => {
    for (const token of [
      await github.mint(ghClaims({ repository: 'evil/models', sub: 'repo:evil/models:environment:production' })),
      await github.mint(ghClaims({ ref: 'refs/tags/v1', environment: 'production' })),
      await github.mint(ghClaims({ environment: 'staging' })),
      await k8s.mint(k8sClaims({ 'kubernetes.io': { namespace: 'ml-dev', serviceaccount: { name: 'trainer' } } })),
      await k8s.mint(k8sClaims({ 'kubernetes.io': { namespace: 'ml-train', serviceaccount: { name: 'default' } } })),
    ]) {
      const body = await expectRefused(token, /meets no trust rule/);
      expect(body.message).not.toMatch(/acme|ml-train|trainer|refs\/heads/);
    }
    // Why it did not match is for the operator: in the log.
    expect(stack.logs.some((l) => l.includes('repository does not equal \\"acme/models\\"'))).toBe(true);
  });

  it('expired-token: a genuine token past its exp (beyond the clock skew) is refused', async () => {
    await expectRefused(await k8s.mint(k8sClaims(), { expiresIn: -3600 }), /expired/);
  });

  it('unknown-issuer: a token from an issuer no rule names is refused with a clear message, and that issuer is never contacted', async () => {
    await expectRefused(await stranger.mint(k8sClaims()), /untrusted issuer \(http:\/\/127\.0\.0\.1:\d+\).*neither this gateway's identity provider nor the issuer of a workload trust rule/);
    expect(stranger.hits).toEqual({ discovery: 0, jwks: 0 });
  });

  it('forged-issuer: a token signed by another key but claiming a trusted issuer is refused', async () => {
    await expectRefused(await stranger.mint(k8sClaims({ iss: k8s.issuer })), /unknown key|signature/);
  });

  it('alg-none and hs256-key-confusion: unsigned and HMAC-signed tokens naming a trusted issuer are refused', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...k8sClaims(), iss: k8s.issuer, iat: now, exp: now + 300 };
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, /not allowed|invalid/i);
    const publicJwks = JSON.stringify(await (await fetch(k8s.jwksUri)).json());
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(Buffer.from(publicJwks));
    await expectRefused(hs, /algorithm that is not allowed/);
  });

  it('trust rules are managed by administrators only and audited; a rule that pins no repository is refused', async () => {
    const alice = await callerFor(stack, 'alice');
    expect((await alice.raw('GET', '/_gateway/api/v1/trust-rules')).status).toBe(403);
    const loose = await api('POST', 'trust-rules', { name: 'too-loose', preset: 'github-actions', audience, service_account: GH_ACCOUNT, conditions: [{ claim: 'ref', value: 'refs/heads/main' }] });
    expect(loose.status).toBe(400);
    expect(loose.json.message).toMatch(/must pin repository or repository_id/);

    const extra = await api('POST', 'trust-rules', {
      name: 'gitlab-nightly', preset: 'gitlab', audience, service_account: GH_ACCOUNT, conditions: [{ claim: 'project_path', value: 'acme/nightly' }],
    });
    expect(extra.json.trust_rule).toMatchObject({ issuer: 'https://gitlab.com', conditions: [{ claim: 'project_path', matcher: 'exact', value: 'acme/nightly' }], service_account: GH_ACCOUNT });
    const list = await api('GET', 'trust-rules');
    expect(list.json.trust_rules.map((r: { name: string }) => r.name)).toEqual(['cluster-training', 'gh-release', 'gitlab-nightly']);
    expect((await api('DELETE', 'trust-rules/gitlab-nightly')).json).toMatchObject({ deleted: true });
    const audit = await stack.server.gateway.store.audit.list({ limit: 100, actor: 'admin' });
    expect(audit.filter((e) => e.action.startsWith('trust-rule.')).map((e) => e.action).reverse()).toEqual(['trust-rule.add', 'trust-rule.add', 'trust-rule.add', 'trust-rule.delete']);
  });

  it('a disabled service account\'s workloads are refused at once', async () => {
    const token = await k8s.mint(k8sClaims());
    await api('PATCH', `service-accounts/${K8S_ACCOUNT}`, { disabled: true });
    try {
      const res = await call(token);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { gateway_code: string }).gateway_code).toBe('GW_USER_DISABLED');
    } finally {
      await api('PATCH', `service-accounts/${K8S_ACCOUNT}`, { disabled: false });
    }
    expect((await call(token)).status).toBe(200);
  });

  it('secret-leak-into-logs: no workload token reaches a log line or the audit trail', async () => {
    const tokens = [await k8s.mint(k8sClaims()), await github.mint(ghClaims()), await github.mint(ghClaims({ repository: 'evil/x' })), await stranger.mint(k8sClaims())];
    for (const t of tokens) await call(t);
    const logs = stack.logs.join('\n');
    const audit = JSON.stringify(await stack.server.gateway.store.audit.list({ limit: 1000 }));
    for (const t of tokens) {
      const signature = t.split('.')[2]!;
      expect(logs).not.toContain(signature);
      expect(audit).not.toContain(signature);
    }
  });
});
