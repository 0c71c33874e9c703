import { request as httpRequest, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_COST_FACTOR } from '../../src/pipeline/memory-budget.js';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Heap exhaustion by large bodies: every JSON body the gateway reads to find ids is held (and
// parsed, ~2–2.5 × its size) until the request ends. Each one may be within GATEWAY_MAX_JSON_BODY,
// but many at once used to be unbounded: one signed-in caller opening enough slow 32 MiB uploads
// could exhaust the heap and stop the gateway for everyone. Bodies in flight are now charged to a
// budget (GATEWAY_BODY_MEMORY); beyond it a request gets 503 GW_BUSY with Retry-After, and what a
// request held is given back when its response closes — sent or aborted.
const MiB = 1024 * 1024;
const BUDGET = 16 * MiB;

interface Held {
  req: ClientRequest;
  answer: Promise<{ status: number; body: string; retryAfter: string | undefined }>;
}

describe('body memory exhaustion', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let runId: string;

  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_BODY_MEMORY: String(BUDGET) } });
    alice = await callerFor(stack, 'alice');
    const exp = await alice.post('experiments/create', { name: unique('body-memory') });
    expect(exp.status, JSON.stringify(exp.json)).toBe(200);
    const run = await alice.post('runs/create', { experiment_id: exp.json.experiment_id });
    expect(run.status, JSON.stringify(run.json)).toBe(200);
    runId = run.json.run.info.run_id as string;
  });
  afterAll(async () => stack?.stop());

  /** Starts a log-batch whose body is only partly sent: the gateway holds what it has read. */
  function hold(declared: number | undefined, first: Buffer): Held {
    const url = new URL(`${stack.gatewayUrl}/api/2.0/mlflow/runs/log-batch`);
    const headers: Record<string, string> = { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' };
    if (declared !== undefined) headers['content-length'] = String(declared);
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent: false });
    const answer = new Promise<{ status: number; body: string; retryAfter: string | undefined }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, retryAfter: res.headers['retry-after'] as string | undefined }));
      });
      req.on('error', reject);
    });
    answer.catch(() => undefined); // aborted on purpose below
    req.write(first);
    return { req, answer };
  }

  const used = () => stack.server.gateway.memory.used;
  const until = async (what: () => boolean, label: string) => {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(what(), label).toBe(true);
  };
  const prefix = () => Buffer.from(`{"run_id":"${runId}","tags":[{"key":"k","value":"`);

  it('body-memory-exhaustion: declared bodies beyond the budget get 503 GW_BUSY, and aborting gives the memory back', async () => {
    const size = 2 * MiB; // costs BODY_COST_FACTOR × 2 MiB = 6 MiB: two fit in 16 MiB, a third does not
    expect(2 * size * BODY_COST_FACTOR).toBeLessThanOrEqual(BUDGET);
    expect(3 * size * BODY_COST_FACTOR).toBeGreaterThan(BUDGET);
    const a = hold(size, prefix());
    const b = hold(size, prefix());
    await until(() => used() === 2 * size * BODY_COST_FACTOR, `two bodies held (used ${used()})`);
    const c = hold(size, prefix());
    const refused = await c.answer;
    expect(refused.status, refused.body).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error_code: 'TEMPORARILY_UNAVAILABLE', gateway_code: 'GW_BUSY' });
    expect(refused.retryAfter).toBe('1');
    c.req.destroy();
    // The two clients give up: what they held is given back, and the next caller is served.
    a.req.destroy();
    b.req.destroy();
    await until(() => used() === 0, `budget given back after aborts (used ${used()})`);
    const ok = await alice.post('runs/log-batch', { run_id: runId, tags: [{ key: 'after', value: 'x'.repeat(1000) }] });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(used(), 'a completed request gives its share back').toBe(0);
  });

  it('body-memory-exhaustion-chunked: bodies of unknown length are charged as they arrive', async () => {
    const chunk = Buffer.alloc(2 * MiB, 'a');
    const a = hold(undefined, Buffer.concat([prefix(), chunk]));
    const b = hold(undefined, Buffer.concat([prefix(), chunk]));
    await until(() => used() >= 2 * chunk.length * BODY_COST_FACTOR, `two chunked bodies held (used ${used()})`);
    // The third passes the budget while it streams: refused mid-body.
    const c = hold(undefined, Buffer.concat([prefix(), chunk]));
    const refused = await c.answer;
    expect(refused.status, refused.body).toBe(503);
    expect(JSON.parse(refused.body).gateway_code).toBe('GW_BUSY');
    for (const h of [a, b, c]) h.req.destroy();
    await until(() => used() === 0, `budget given back (used ${used()})`);
  });

  it('body-memory-exhaustion-single: one body that needs more than the whole budget is refused as too large', async () => {
    const size = 6 * MiB; // 18 MiB at cost > 16 MiB: it could never be held
    const big = hold(size, prefix());
    const refused = await big.answer;
    expect(refused.status, refused.body).toBe(413);
    expect(JSON.parse(refused.body).gateway_code).toBe('GW_BODY_TOO_LARGE');
    big.req.destroy();
    await until(() => used() === 0, `nothing held (used ${used()})`);
  });

  it('bodies within the budget are served as before, one after another', async () => {
    for (let i = 0; i < 3; i++) {
      const value = 'v'.repeat(4000);
      const r = await alice.post('runs/log-batch', { run_id: runId, tags: [{ key: `seq-${i}`, value }] });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
    }
    expect(used()).toBe(0);
  });

  it('body-memory-exhaustion-answers: MLflow answers the gateway buffers for filtering are charged too', async () => {
    // A small budget (1 MiB): an experiment with ~950 KB of tags, each written in a call that fits.
    const small = await startStack({ env: { GATEWAY_BODY_MEMORY: String(1 * MiB) } });
    try {
      const [bob, admin] = await Promise.all([callerFor(small, 'bob'), callerFor(small, 'admin')]);
      const exp = await bob.post('experiments/create', { name: unique('answers') });
      expect(exp.status, JSON.stringify(exp.json)).toBe(200);
      const experimentId = exp.json.experiment_id as string;
      for (let i = 0; i < 190; i++) {
        const r = await bob.post('experiments/set-experiment-tag', { experiment_id: experimentId, key: `t${i}`, value: 'x'.repeat(5000) });
        expect(r.status, JSON.stringify(r.json).slice(0, 300)).toBe(200);
      }
      expect(small.server.gateway.memory.used).toBe(0);
      // bob may not read every experiment: his search is filtered page by page, and MLflow's ~950 KB
      // answer is held and parsed, at 3 × its size, more than the whole budget.
      const filtered = await bob.post('experiments/search', { max_results: 10 });
      expect(filtered.status, JSON.stringify(filtered.json).slice(0, 300)).toBe(413);
      expect(filtered.json.gateway_code).toBe('GW_BODY_TOO_LARGE');
      // An administrator's search is streamed, not held: served.
      const streamed = await admin.post('experiments/search', { max_results: 10 });
      expect(streamed.status).toBe(200);
      expect(JSON.stringify(streamed.json).length).toBeGreaterThan(900_000);
      await until(() => small.server.gateway.memory.used === 0, 'given back');
    } finally {
      await small.stop();
    }
  });
});
