import { describe, expect, it } from 'vitest';
import { classify, compileRoutes, isApiLikePath } from './classify.js';
import { normalizePath } from './normalize.js';
import { ROUTES } from './routes.js';
import type { RouteSpec } from './types.js';

function hit(method: string, path: string): { route: RouteSpec; params: Readonly<Record<string, string>> } {
  const r = classify(method, path);
  if (!r.ok) throw new Error(`expected ${method} ${path} to be classified`);
  return r;
}

describe('classify', () => {
  it('matches static routes of every API family', () => {
    expect(hit('GET', '/api/2.0/mlflow/experiments/get').route.requirement).toMatchObject({ kind: 'resource', resource: 'experiment', action: 'read' });
    expect(hit('GET', '/ajax-api/2.0/mlflow/experiments/get').route.rpc).toBe('GetExperiment');
    expect(hit('POST', '/api/2.0/mlflow/experiments/create').route.requirement).toEqual({ kind: 'create', resource: 'experiment' });
    expect(hit('DELETE', '/api/2.0/mlflow/registered-models/delete-tag').route.requirement).toMatchObject({ action: 'delete' });
    expect(hit('POST', '/graphql').route.requirement).toMatchObject({ kind: 'filtered', filter: 'graphql' });
    expect(hit('GET', '/health').route.requirement).toEqual({ kind: 'public' });
    expect(hit('GET', '/version').route.requirement).toEqual({ kind: 'authenticated' });
    expect(hit('POST', '/api/2.0/mlflow/webhooks').route.requirement).toEqual({ kind: 'admin' });
  });

  it('matches templated routes and decodes their parameters', () => {
    expect(hit('GET', '/api/3.0/mlflow/traces/tr-abc')).toMatchObject({
      route: { path: '/api/3.0/mlflow/traces/{trace_id}' },
      params: { trace_id: 'tr-abc' },
    });
    expect(hit('DELETE', '/api/2.0/mlflow/logged-models/m-1/tags/my%20tag')).toMatchObject({
      route: { path: '/api/2.0/mlflow/logged-models/{model_id}/tags/{tag_key}', requirement: { action: 'delete' } },
      params: { model_id: 'm-1', tag_key: 'my tag' },
    });
    expect(hit('GET', '/api/2.0/mlflow-artifacts/artifacts/12/run/artifacts/model.pkl')).toMatchObject({
      route: { server: 'fastapi' },
      params: { artifact_path: '12/run/artifacts/model.pkl' },
    });
    expect(hit('DELETE', '/ajax-api/2.0/mlflow-artifacts/artifacts/12/x')).toMatchObject({
      route: { server: 'flask', requirement: { action: 'delete' } },
      params: { artifact_path: '12/x' },
    });
    expect(hit('GET', '/static-files/static/js/main.js')).toMatchObject({ route: { requirement: { kind: 'authenticated' }, apiLike: false } });
  });

  it('prefers a static segment over a parameter (werkzeug)', () => {
    expect(hit('GET', '/api/3.0/mlflow/traces/get').route.rpc).toBe('GetTrace');
    expect(hit('POST', '/api/3.0/mlflow/datasets/search').route.rpc).toBe('SearchEvaluationDatasets');
    expect(hit('DELETE', '/api/3.0/mlflow/datasets/search')).toMatchObject({ route: { rpc: 'DeleteDataset' }, params: { dataset_id: 'search' } });
  });

  it('gives FastAPI routes precedence in registration order', () => {
    // Both /gateway/{endpoint_name}/mlflow/invocations and /gateway/proxy/{endpoint_name}/{path:path}
    // match; Starlette serves the first registered one, so the endpoint is "proxy", not "mlflow".
    expect(hit('POST', '/gateway/proxy/mlflow/invocations')).toMatchObject({
      route: { path: '/gateway/{endpoint_name}/mlflow/invocations' },
      params: { endpoint_name: 'proxy' },
    });
    expect(hit('POST', '/gateway/proxy/my-endpoint/v1/chat/completions')).toMatchObject({
      route: { path: '/gateway/proxy/{endpoint_name}/{path:path}', requirement: { action: 'use' } },
      params: { endpoint_name: 'my-endpoint', path: 'v1/chat/completions' },
    });
    expect(hit('GET', '/api/3.0/mlflow/mcp-servers/endpoints').route.rpc).toBe('search_all_access_endpoints');
  });

  it('matches parameters embedded in a segment and greedy path parameters', () => {
    expect(hit('POST', '/gateway/gemini/v1beta/models/chat:streamGenerateContent')).toMatchObject({
      route: { rpc: 'gemini_passthrough_stream_generate_content' },
      params: { endpoint_name: 'chat' },
    });
    expect(hit('POST', '/gateway/gemini/v1beta/models/a:b:generateContent').params).toEqual({ endpoint_name: 'a:b' });
    expect(hit('GET', '/ajax-api/3.0/mlflow/mcp-servers/acme/tool/versions/1.0')).toMatchObject({
      route: { rpc: 'get_mcp_server_version', requirement: { kind: 'authenticated' } },
      params: { name: 'acme/tool', version: '1.0' },
    });
    expect(hit('DELETE', '/api/3.0/mlflow/mcp-servers/acme/tool').route.requirement).toEqual({ kind: 'admin' });
  });

  it('treats HEAD as GET', () => {
    expect(hit('HEAD', '/').route).toBe(hit('GET', '/').route);
    expect(hit('HEAD', '/api/2.0/mlflow/runs/get').route.rpc).toBe('GetRun');
  });

  it('fails closed on unknown methods and paths', () => {
    expect(classify('GET', '/api/2.0/mlflow/experiments/nope')).toEqual({ ok: false, apiLike: true });
    expect(classify('PUT', '/api/2.0/mlflow/experiments/get')).toEqual({ ok: false, apiLike: true });
    expect(classify('OPTIONS', '/api/2.0/mlflow/experiments/get')).toEqual({ ok: false, apiLike: true });
    expect(classify('TRACE', '/')).toEqual({ ok: false, apiLike: false });
    expect(classify('get', '/api/2.0/mlflow/experiments/get')).toEqual({ ok: false, apiLike: true });
    expect(classify('GET', '/API/2.0/mlflow/experiments/get')).toEqual({ ok: false, apiLike: false });
    expect(classify('GET', '/some/page')).toEqual({ ok: false, apiLike: false });
    expect(classify('GET', '/gateway/nope')).toEqual({ ok: false, apiLike: true });
    expect(classify('POST', '/v1/metrics')).toEqual({ ok: false, apiLike: true });
    expect(classify('GET', '/graphql/x')).toEqual({ ok: false, apiLike: true });
    expect(classify('GET', '/ajax-api/3.0/jobs')).toEqual({ ok: false, apiLike: true });
  });

  it('classifies a trailing-slash request after normalisation', () => {
    const n = normalizePath('/api/2.0/mlflow/experiments/get/?experiment_id=1');
    expect(n).toEqual({ ok: true, path: '/api/2.0/mlflow/experiments/get', query: 'experiment_id=1' });
    if (n.ok) expect(hit('GET', n.path).route.rpc).toBe('GetExperiment');
    const jobs = normalizePath('/ajax-api/3.0/jobs/');
    if (jobs.ok) expect(hit('POST', jobs.path).route).toMatchObject({ rpc: 'submit_job', requirement: { kind: 'admin' } });
  });

  it('marks API paths apiLike and the UI shell not', () => {
    expect(hit('GET', '/').route.apiLike).toBe(false);
    expect(ROUTES.filter((r) => !r.apiLike).map((r) => r.path)).toEqual(['/', '/static-files/{path:path}', '/build/{filename:path}']);
    for (const p of ['/api/x', '/ajax-api/x', '/graphql', '/gateway/x', '/v1/x', '/get-artifact', '/model-versions/get-artifact']) {
      expect(isApiLikePath(p)).toBe(true);
    }
    expect(isApiLikePath('/apix')).toBe(false);
  });

  it('rejects duplicate routes and malformed templates when compiling', () => {
    const r: RouteSpec = { method: 'GET', path: '/a/{x}', requirement: { kind: 'public' }, apiLike: true, server: 'flask' };
    expect(() => compileRoutes([r, r])).toThrow(/duplicate/);
    expect(() => compileRoutes([{ ...r, path: '/a/x{y' }])).toThrow(/bad segment/);
    expect(() => compileRoutes([{ ...r, path: '/a/pre{x:path}' }])).toThrow(/whole segment/);
  });
});

describe('route table invariants', () => {
  it('has no duplicate (method, path) and every route is reachable as itself', () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives every resource requirement at least one id and assistant routes are blocked', () => {
    for (const r of ROUTES) {
      if (r.requirement.kind === 'resource') expect(r.requirement.ids.length, `${r.method} ${r.path}`).toBeGreaterThan(0);
      if (r.path.includes('/assistant/')) expect(r.requirement).toMatchObject({ kind: 'blocked', feature: 'assistant' });
    }
  });

  it('authorizes /v1/traces on the experiment header, with update', () => {
    expect(hit('POST', '/v1/traces').route.requirement).toEqual({
      kind: 'resource',
      resource: 'experiment',
      action: 'update',
      ids: [{ kind: 'experiment_id', from: 'header', field: 'x-mlflow-experiment-id' }],
    });
  });
});
