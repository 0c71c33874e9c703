import type { RestFixtures } from '../lib/fixtures.js';
import type { LoadRequest } from '../lib/wrk.js';

// The authorized REST calls of scenarios 1, 2 and 5. Writes use a per-request counter ({{n}}) as
// the metric step, so every request inserts new rows like a training loop does.

export interface Endpoint {
  readonly id: string;
  readonly request: LoadRequest;
}

export function restEndpoints(f: RestFixtures, tag: string): Endpoint[] {
  const json = { 'content-type': 'application/json' };
  const ts = Date.now();
  const metrics = Array.from({ length: 10 }, (_, k) => `{"key":"batch_${tag}_${k}","value":{{n}},"timestamp":${ts},"step":{{n}}}`).join(',');
  return [
    { id: 'experiments/get', request: { method: 'GET', path: `/api/2.0/mlflow/experiments/get?experiment_id=${f.experimentId}` } },
    {
      id: 'runs/log-metric',
      request: { method: 'POST', path: '/api/2.0/mlflow/runs/log-metric', headers: json, body: `{"run_id":"${f.runId}","key":"metric_${tag}","value":{{n}},"timestamp":${ts},"step":{{n}}}` },
    },
    {
      id: 'runs/log-batch',
      request: { method: 'POST', path: '/api/2.0/mlflow/runs/log-batch', headers: json, body: `{"run_id":"${f.runId}","metrics":[${metrics}],"tags":[{"key":"bench_step","value":"{{n}}"}]}` },
    },
    {
      id: 'runs/search',
      request: { method: 'POST', path: '/api/2.0/mlflow/runs/search', headers: json, body: `{"experiment_ids":["${f.experimentId}"],"max_results":10}` },
    },
    { id: 'registered-models/get', request: { method: 'GET', path: `/api/2.0/mlflow/registered-models/get?name=${encodeURIComponent(f.modelName)}` } },
  ];
}

/** The same request with a target's credential headers added. */
export function withHeaders(req: LoadRequest, headers: Readonly<Record<string, string>>): LoadRequest {
  return { ...req, headers: { ...req.headers, ...headers } };
}

/** One request of the endpoint, {{n}} = 0: a check that the target answers 2xx before measuring. */
export async function probe(url: string, req: LoadRequest): Promise<{ status: number; text: string }> {
  const body = req.body?.replaceAll('{{n}}', '0');
  const res = await fetch(`${url}${req.path}`, { method: req.method, headers: req.headers ?? {}, body, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, text: (await res.text()).slice(0, 300) };
}
