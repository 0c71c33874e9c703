import { describe, expect, it } from 'vitest';
import { classify } from '../mlflow/index.js';
import type { RequestContext } from '../pipeline/context.js';
import type { User } from '../store/index.js';
import { eventFor } from './request-audit.js';

const alice = { username: 'alice' } as User;

/** A context as the pipeline leaves it for `method path` (route classified, body parsed). */
function ctx(method: string, path: string, extra: Partial<RequestContext> = {}): RequestContext {
  const c = classify(method, path);
  return {
    requestId: 'req-1', clientIp: '10.0.0.1', path, query: '', principal: { user: alice, method: 'token' },
    ...(c.ok ? { route: c.route, params: { ...c.params } } : {}), ...extra,
  };
}

describe('which requests become audit events', () => {
  it('an allowed write through the proxy, with the resource its ids name', () => {
    const e = eventFor('POST', 200, ctx('POST', '/api/2.0/mlflow/runs/log-metric', { json: { run_id: 'r1', key: 'k', value: 1, timestamp: 1 }, decision: 'allow: …' }));
    expect(e).toMatchObject({ action: 'request.write', actor: 'alice', resource: 'run:r1', decision: 'allow', requestId: 'req-1', clientIp: '10.0.0.1' });
    expect(e!.reason).toBe('POST LogMetric → 200 (allow: …)');
  });

  it('a delete is request.delete', () => {
    expect(eventFor('POST', 200, ctx('POST', '/api/2.0/mlflow/experiments/delete', { json: { experiment_id: '7' } }))).toMatchObject({ action: 'request.delete', resource: 'experiment:7' });
  });

  it('no event for reads, POST searches, GraphQL, failed writes or allowed admin API calls', () => {
    expect(eventFor('GET', 200, ctx('GET', '/api/2.0/mlflow/experiments/get', { query: 'experiment_id=1' }))).toBeUndefined();
    expect(eventFor('POST', 200, ctx('POST', '/api/2.0/mlflow/runs/search', { json: { experiment_ids: ['1'] } }))).toBeUndefined();
    expect(eventFor('POST', 200, ctx('POST', '/graphql'))).toBeUndefined();
    expect(eventFor('POST', 400, ctx('POST', '/api/2.0/mlflow/runs/log-metric', { json: { run_id: 'r1' } }))).toBeUndefined();
    expect(eventFor('PUT', 200, { requestId: 'r', clientIp: 'ip', path: '/_gateway/api/v1/grants', query: '' })).toBeUndefined();
  });

  it('every denial: 401, 403, 429 — proxy or admin API, anonymous or not — with the refusal', () => {
    const anon = eventFor('GET', 401, { ...ctx('GET', '/api/2.0/mlflow/experiments/get', { query: 'experiment_id=3' }), principal: undefined, decision: 'deny: GW_UNAUTHENTICATED' });
    expect(anon).toMatchObject({ action: 'request.denied', actor: null, decision: 'deny', resource: 'experiment:3' });
    const admin = eventFor('GET', 403, { requestId: 'r', clientIp: 'ip', path: '/_gateway/api/v1/users', query: '', principal: { user: alice, method: 'session' }, decision: 'deny: GW_DENIED' });
    expect(admin).toMatchObject({ action: 'request.denied', actor: 'alice', resource: null, reason: 'GET /_gateway/api/v1/users → 403 (deny: GW_DENIED)' });
    expect(eventFor('POST', 429, ctx('POST', '/api/2.0/mlflow/runs/create', { error: 'Too many failed attempts' }))!.reason).toMatch(/→ 429.*Too many failed attempts$/);
  });

  it('a denied GraphQL request names the run (or experiment) its field named, as the refusal recorded it', () => {
    const e = eventFor('POST', 403, ctx('POST', '/graphql', { json: { query: '…' }, named: 'run:r9', decision: 'deny: GW_DENIED' }));
    expect(e).toMatchObject({ action: 'request.denied', resource: 'run:r9' });
    // The route's own ids win where it has them.
    expect(eventFor('GET', 403, ctx('GET', '/api/2.0/mlflow/runs/get', { query: 'run_id=r1', named: 'run:other' }))!.resource).toBe('run:r1');
  });

  it('never copies the query string, only the ids the route names', () => {
    const e = eventFor('GET', 403, ctx('GET', '/api/2.0/mlflow/experiments/get', { query: 'experiment_id=5&access_token=s3cr3t' }));
    expect(JSON.stringify(e)).not.toContain('s3cr3t');
    expect(e!.resource).toBe('experiment:5');
  });
});
