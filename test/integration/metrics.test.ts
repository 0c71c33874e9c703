import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique } from '../support/mlflow-api.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Prometheus metrics after real traffic (JWT, personal token as Bearer and Basic, a browser
// session, anonymous and bad credentials) against the real MLflow: the series exist, carry only
// closed-set labels (no ids, usernames, tokens), and an unauthenticated scrape is refused.

const METRICS_TOKEN = 'metrics-scrape-token-0123456789';

describe('Prometheus metrics', () => {
  let stack: Stack;
  let listenerUrl: string;
  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_METRICS_PORT: '0', GATEWAY_METRICS_TOKEN: METRICS_TOKEN } });
    const line = stack.logs.map((l) => JSON.parse(l) as { event?: string; address?: string }).find((l) => l.event === 'metrics.listening');
    listenerUrl = line!.address!;
  });
  afterAll(async () => stack?.stop());

  const scrape = async (url: string, token?: string) =>
    fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('refuses scrapes without the metrics token, on the main port and the separate listener', async () => {
    for (const url of [`${stack.gatewayUrl}/_gateway/metrics`, listenerUrl]) {
      expect((await scrape(url)).status, url).toBe(401);
      expect((await scrape(url, 'wrong-token-wrong-token-wrong')).status, url).toBe(401);
      expect((await scrape(url, METRICS_TOKEN.slice(0, -1))).status, url).toBe(401);
    }
    // A user's IdP JWT is not the metrics token either.
    const { access_token } = await stack.idp.getTokens('admin');
    expect((await scrape(`${stack.gatewayUrl}/_gateway/metrics`, access_token)).status).toBe(401);
  });

  it('after traffic, the series exist with closed-set labels only', async () => {
    const alice = await callerFor(stack, 'alice');
    const exp = await alice.post('experiments/create', { name: unique('metrics') });
    expect(exp.status).toBe(200);
    const experimentId = String(exp.json.experiment_id);
    const run = await alice.post('runs/create', { experiment_id: experimentId });
    const runId = String(run.json.run.info.run_id);
    expect((await alice.get('experiments/get', { experiment_id: experimentId })).status).toBe(200);
    const minted = await alice.raw('POST', '/_gateway/api/v1/tokens', { body: JSON.stringify({ name: unique('m'), expires_in_days: 1 }), headers: { 'content-type': 'application/json' } });
    const pat = String(minted.json.token);
    const viaPat = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/runs/get?run_id=${runId}`, { headers: { authorization: `Bearer ${pat}` } });
    expect(viaPat.status).toBe(200);
    const basic = Buffer.from(`alice:${pat}`).toString('base64');
    expect((await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/runs/get?run_id=${runId}`, { headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
    expect((await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`)).status).toBe(401);
    const badPat = `${pat.slice(0, -4)}AAAA`;
    expect((await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, { headers: { authorization: `Bearer ${badPat}` } })).status).toBe(401);
    const bob = await callerFor(stack, 'bob');
    expect((await bob.get('experiments/get', { experiment_id: experimentId })).status).toBe(403);
    const { browser } = await signIn(stack, 'alice');
    expect((await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`)).status).toBe(200);
    expect((await browser.get(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`)).status).toBe(200);

    const res = await scrape(`${stack.gatewayUrl}/_gateway/metrics`, METRICS_TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    const fromListener = await (await scrape(listenerUrl, METRICS_TOKEN)).text();
    expect(fromListener).toContain('gateway_requests_total');

    const series = text.split('\n').filter((l) => l && !l.startsWith('#'));
    const has = (re: RegExp) => expect(series.some((l) => re.test(l)), String(re)).toBe(true);
    has(/^gateway_requests_total\{route_class="mlflow-api",decision="allow",status_class="2xx"\} [1-9]/);
    has(/^gateway_requests_total\{route_class="mlflow-api",decision="deny",status_class="4xx"\} [1-9]/);
    has(/^gateway_requests_total\{route_class="gateway-auth",decision="none",status_class="3xx"\} [1-9]/);
    has(/^gateway_auth_total\{method="jwt",outcome="ok",reason=""\} [1-9]/);
    has(/^gateway_auth_total\{method="pat-bearer",outcome="ok",reason=""\} [1-9]/);
    has(/^gateway_auth_total\{method="pat-basic",outcome="ok",reason=""\} [1-9]/);
    has(/^gateway_auth_total\{method="session",outcome="ok",reason=""\} [1-9]/);
    has(/^gateway_auth_total\{method="anonymous",outcome="ok",reason=""\} [1-9]/);
    has(/^gateway_auth_total\{method="pat-bearer",outcome="failed",reason="GW_INVALID_TOKEN"\} [1-9]/);
    // The personal token was read from the store once (Bearer), then from the cache (Basic).
    has(/^gateway_cache_lookups_total\{cache="token",result="miss"\} [1-9]/);
    has(/^gateway_cache_lookups_total\{cache="token",result="hit"\} [1-9]/);
    has(/^gateway_upstream_response_seconds_bucket\{le="[^"]+",route_class="mlflow-api"\} [1-9]/);
    has(/^gateway_upstream_response_seconds_count\{route_class="mlflow-api"\} [1-9]/);
    // The hot-path caches (src/cache) report through metrics.cacheLookup: PATs and sessions were looked up twice.
    has(/^gateway_cache_lookups_total\{cache="[a-z_]+",result="hit"\} [1-9]/);
    has(/^gateway_cache_lookups_total\{cache="[a-z_]+",result="miss"\} [1-9]/);
    has(/^process_resident_memory_bytes [1-9]/);
    has(/^nodejs_eventloop_lag_seconds /);

    // No label value is an id, a name, a path or a secret: every value of every gateway series
    // comes from a closed vocabulary (bucket bounds `le` aside).
    const allowedValue = /^(|[a-z0-9_.+-]+|GW_[A-Z_]+)$/;
    const secretish = new Set([experimentId, runId, 'alice', 'bob', pat, basic]);
    for (const line of series.filter((l) => l.startsWith('gateway_'))) {
      for (const [, name, value] of line.matchAll(/(\w+)="([^"]*)"/g)) {
        if (name === 'le') continue;
        expect(value, line).toMatch(allowedValue);
        expect(secretish.has(value!), line).toBe(false);
      }
    }
    expect(text).not.toContain(pat.slice(4, 16));
    expect(text).not.toContain(alice.token.slice(0, 20));
  });
});
