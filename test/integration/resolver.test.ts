import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/devtools/mlflow.js';
import { createResolver, type Resolution } from '../../src/mlflow/resolver.js';
import type { IdKind } from '../../src/mlflow/types.js';
import { runPython } from '../support/python.js';

// The resolver against the real MLflow of the test run: every id kind resolves to the experiment,
// registered model or endpoint MLflow itself says it belongs to.
const mlflowUrl = inject('mlflowUrl');
const tag = `resolver-${randomUUID().slice(0, 8)}`;

async function api<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${mlflowUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function createExperiment(name: string): Promise<string> {
  return (await api<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name })).experiment_id;
}

function experiment(id: string, name: string): Resolution {
  return { ok: true, resources: [{ type: 'experiment', id, name }] };
}

/** A child that carries grants of its own (run, trace, logged model), with its experiment as parent. */
function child(type: 'run' | 'trace' | 'logged_model', id: string, expId: string, expName: string, name?: unknown): Resolution {
  return { ok: true, resources: [{ type, id, ...(name !== undefined ? { name } : {}), parent: { type: 'experiment', id: expId, name: expName } } as never] };
}

interface Fixture {
  expA: string;
  expB: string;
  expAName: string;
  expBName: string;
  runId: string;
  loggedModelId: string;
  modelName: string;
  restTraceId: string;
  pythonTraceId: string;
  datasetLinked: string;
  datasetUnlinked: string;
  issueId: string;
  queueId: string;
  schemaId: string;
  endpointId: string;
  secretId: string;
  definitionId: string;
  endpointName: string;
  onlineScorer: string;
  offlineScorer: string;
}
let fx: Fixture;

beforeAll(async () => {
  const expAName = `${tag}-a`;
  const expBName = `${tag}-b`;
  const [expA, expB] = await Promise.all([createExperiment(expAName), createExperiment(expBName)]);
  // A trace written by the real Python client (its own export path), in parallel with the REST setup.
  const python = runPython(
    [
      'import os, mlflow',
      'mlflow.set_experiment(experiment_id=os.environ["EXP_ID"])',
      '@mlflow.trace',
      'def f(x):',
      '    return x + 1',
      'f(1)',
      'tid = mlflow.get_last_active_trace_id()',
      'mlflow.flush_trace_async_logging()',
      'print("TRACE_ID=" + tid)',
    ].join('\n'),
    { MLFLOW_TRACKING_URI: mlflowUrl, EXP_ID: expB },
  );
  const restTraceId = `tr-${randomBytes(16).toString('hex')}`;
  const secretName = `${tag}-secret`;
  const endpointName = `${tag}-endpoint`;
  const [run, lm, , , ds1, ds2, issue, queue, schema, endpoint] = await Promise.all([
    api<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', { experiment_id: expA }),
    api<{ model: { info: { model_id: string } } }>('POST', '/api/2.0/mlflow/logged-models', { experiment_id: expA, name: 'lm' }),
    api('POST', '/api/2.0/mlflow/registered-models/create', { name: `${tag}-model` }),
    api('POST', '/api/3.0/mlflow/traces', {
      trace: {
        trace_info: {
          trace_id: restTraceId,
          trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: expA } },
          request_time: new Date().toISOString(),
          state: 'OK',
        },
      },
    }),
    api<{ dataset: { dataset_id: string } }>('POST', '/api/3.0/mlflow/datasets/create', { name: `${tag}-ds1`, experiment_ids: [expA, expB] }),
    api<{ dataset: { dataset_id: string } }>('POST', '/api/3.0/mlflow/datasets/create', { name: `${tag}-ds2` }),
    api<{ issue: { issue_id: string } }>('POST', '/api/3.0/mlflow/issues', { experiment_id: expB, name: 'issue', description: 'd' }),
    api<{ review_queue: { queue_id: string } }>('POST', '/api/3.0/mlflow/review-queues/create', { experiment_id: expB, name: 'q', queue_type: 'CUSTOM' }),
    api<{ label_schema: { schema_id: string } }>('POST', '/api/3.0/mlflow/label-schemas/create', { experiment_id: expA, name: 's', type: 'FEEDBACK', input: { text: {} } }),
    (async () => {
      const secret = await api<{ secret: { secret_id: string } }>('POST', '/api/3.0/mlflow/gateway/secrets/create', {
        secret_name: secretName,
        secret_value: { api_key: 'sk-test' },
        provider: 'openai',
      });
      const def = await api<{ model_definition: { model_definition_id: string } }>('POST', '/api/3.0/mlflow/gateway/model-definitions/create', {
        name: `${tag}-def`,
        secret_id: secret.secret.secret_id,
        provider: 'openai',
        model_name: 'gpt-4o',
      });
      const ep = await api<{ endpoint: { endpoint_id: string } }>('POST', '/api/3.0/mlflow/gateway/endpoints/create', {
        name: endpointName,
        model_configs: [{ model_definition_id: def.model_definition.model_definition_id, linkage_type: 'PRIMARY', weight: 1 }],
      });
      // Scorers: one with an online scoring config (only judges on a gateway endpoint may have one), one without.
      const judge = (name: string) =>
        JSON.stringify({
          name,
          aggregations: ['mean'],
          serialization_version: 1,
          mlflow_version: '3.17.2',
          instructions_judge_pydantic_data: { instructions: 'Is {{ outputs }} ok?', model: `gateway:/${endpointName}`, feedback_value_type: { title: 'Result', type: 'boolean' } },
        });
      const online = await api<{ scorer_id: string }>('POST', '/api/3.0/mlflow/scorers/register', { experiment_id: expB, name: 'online', serialized_scorer: judge('online') });
      await api('PUT', '/api/3.0/mlflow/scorers/online-config', { experiment_id: expB, name: 'online', sample_rate: 0.5 });
      const offline = await api<{ scorer_id: string }>('POST', '/api/3.0/mlflow/scorers/register', { experiment_id: expB, name: 'offline', serialized_scorer: judge('offline') });
      return { ep, secretId: secret.secret.secret_id, definitionId: def.model_definition.model_definition_id, onlineScorer: online.scorer_id, offlineScorer: offline.scorer_id };
    })(),
  ]);
  const py = await python;
  const pythonTraceId = /TRACE_ID=(tr-[0-9a-f]+)/.exec(py.stdout)?.[1];
  if (!pythonTraceId) throw new Error(`python trace failed (${py.code}):\n${py.stdout}\n${py.stderr}`);
  fx = {
    expA,
    expB,
    expAName,
    expBName,
    runId: run.run.info.run_id,
    loggedModelId: lm.model.info.model_id,
    modelName: `${tag}-model`,
    restTraceId,
    pythonTraceId,
    datasetLinked: ds1.dataset.dataset_id,
    datasetUnlinked: ds2.dataset.dataset_id,
    issueId: issue.issue.issue_id,
    queueId: queue.review_queue.queue_id,
    schemaId: schema.label_schema.schema_id,
    endpointId: endpoint.ep.endpoint.endpoint_id,
    secretId: endpoint.secretId,
    definitionId: endpoint.definitionId,
    onlineScorer: endpoint.onlineScorer,
    offlineScorer: endpoint.offlineScorer,
    endpointName,
  };
});

describe('resolver against real MLflow', () => {
  it('resolves every id kind MLflow can answer to the owning resource, with its name', async () => {
    const r = createResolver({ upstreamUrl: mlflowUrl });
    const A = experiment(fx.expA, fx.expAName);
    const B = experiment(fx.expB, fx.expBName);
    const cases: [IdKind, string, Resolution][] = [
      ['experiment_id', fx.expA, A],
      ['experiment_name', fx.expBName, B],
      ['run_id', fx.runId, child('run', fx.runId, fx.expA, fx.expAName, expect.any(String))],
      ['trace_id', fx.restTraceId, child('trace', fx.restTraceId, fx.expA, fx.expAName)],
      ['trace_id', fx.pythonTraceId, child('trace', fx.pythonTraceId, fx.expB, fx.expBName)],
      ['logged_model_id', fx.loggedModelId, child('logged_model', fx.loggedModelId, fx.expA, fx.expAName, 'lm')],
      ['model_name', fx.modelName, { ok: true, resources: [{ type: 'registered_model', id: fx.modelName, name: fx.modelName }] }],
      ['issue_id', fx.issueId, B],
      ['review_queue_id', fx.queueId, B],
      ['label_schema_id', fx.schemaId, A],
      ['endpoint_id', fx.endpointId, { ok: true, resources: [{ type: 'gateway_endpoint', id: fx.endpointId, name: fx.endpointName }] }],
      ['endpoint_name', fx.endpointName, { ok: true, resources: [{ type: 'gateway_endpoint', id: fx.endpointId, name: fx.endpointName }] }],
      ['gateway_secret_id', fx.secretId, { ok: true, resources: [{ type: 'gateway_secret', id: fx.secretId, name: `${tag}-secret` }] }],
      ['gateway_model_definition_id', fx.definitionId, { ok: true, resources: [{ type: 'gateway_model_definition', id: fx.definitionId, name: `${tag}-def` }] }],
      ['artifact_path', `${fx.expA}/${fx.runId}/artifacts/model/MLmodel`, A],
      ['artifact_path', `${fx.expB}/traces/${fx.pythonTraceId}/artifacts/traces.json`, B],
      ['artifact_path', fx.expA, A],
      ['scorer_id', fx.onlineScorer, B],
      ['workspace_name', 'default', { ok: true, resources: [{ type: 'workspace', id: 'default', name: 'default' }] }],
    ];
    for (const [kind, value, expected] of cases) expect(await r.resolve(kind, value), `${kind} ${value}`).toEqual(expected);
  });

  it('resolves a dataset to every linked experiment; none linked → admin_only; unknown → not_found', async () => {
    const r = createResolver({ upstreamUrl: mlflowUrl });
    const linked = await r.resolve('dataset_id', fx.datasetLinked);
    const byId = (x: { id: string }, y: { id: string }) => Number(x.id) - Number(y.id);
    expect(linked.ok && [...linked.resources].sort(byId)).toEqual(
      [
        { type: 'experiment', id: fx.expA, name: fx.expAName },
        { type: 'experiment', id: fx.expB, name: fx.expBName },
      ].sort(byId),
    );
    expect(await r.resolve('dataset_id', fx.datasetUnlinked)).toMatchObject({ ok: false, reason: 'admin_only' });
    expect(await r.resolve('dataset_id', 'd-00000000000000000000000000000000')).toMatchObject({ ok: false, reason: 'not_found' });
  });

  it('optionally tells prompts (registered models tagged mlflow.prompt.is_prompt) from models', async () => {
    const prompt = `${tag}-prompt`;
    await api('POST', '/api/2.0/mlflow/registered-models/create', { name: prompt, tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
    expect(await createResolver({ upstreamUrl: mlflowUrl }).resolve('model_name', prompt)).toEqual({ ok: true, resources: [{ type: 'registered_model', id: prompt, name: prompt }] });
    const r = createResolver({ upstreamUrl: mlflowUrl, promptsAsPrompt: true });
    expect(await r.resolve('model_name', prompt)).toEqual({ ok: true, resources: [{ type: 'prompt', id: prompt, name: prompt }] });
    expect(await r.resolve('model_name', fx.modelName)).toEqual({ ok: true, resources: [{ type: 'registered_model', id: fx.modelName, name: fx.modelName }] });
  });

  it('answers not_found for ids MLflow does not know (or rejects)', async () => {
    const r = createResolver({ upstreamUrl: mlflowUrl });
    const unknown: [IdKind, string][] = [
      ['run_id', '0123456789abcdef0123456789abcdef'],
      ['experiment_id', '987654321'],
      ['experiment_id', 'abc'],
      ['experiment_name', `${tag}-missing`],
      ['trace_id', 'tr-00000000000000000000000000000000'],
      ['logged_model_id', 'm-00000000000000000000000000000000'],
      ['model_name', `${tag}-missing-model`],
      ['issue_id', 'iss-missing'],
      ['review_queue_id', 'rq-missing'],
      ['label_schema_id', 'ls-missing'],
      ['job_id', 'job-missing'],
      ['endpoint_id', 'e-missing'],
      ['endpoint_name', `${tag}-missing-endpoint`],
      ['artifact_path', '987654321/x'],
      ['run_id', ''],
    ];
    for (const [kind, value] of unknown) expect(await r.resolve(kind, value), `${kind} ${value}`).toMatchObject({ ok: false, reason: 'not_found' });
    // An id that cannot be put into the lookup URL is not "unknown" (which would pass the request on): administrators only.
    expect(await r.resolve('trace_id', '../experiments')).toMatchObject({ ok: false, reason: 'admin_only' });
  });

  it('answers admin_only for artifact paths that name no experiment and for credential objects', async () => {
    const r = createResolver({ upstreamUrl: mlflowUrl });
    const paths = [
      '.',
      '',
      'abc/x',
      '../1',
      `${fx.expA}/../${fx.expB}/x`,
      `/${fx.expA}/x`,
      `0${fx.expA}/x`,
      `${fx.expA}/%2e%2e/${fx.expB}`,
      `%2e%2e/${fx.expA}`,
      `${fx.expA}\\..\\${fx.expB}`,
      `${fx.expA}/x#frag`,
      'C:/1/x',
      `workspaces/default/${fx.expA}/x`, // workspaces are off: a literal directory at the root
    ];
    for (const p of paths) expect(await r.resolve('artifact_path', p), JSON.stringify(p)).toMatchObject({ ok: false, reason: 'admin_only' });
    // Secrets and model definitions are resources now (issue #14): an unknown one is simply not found.
    expect(await r.resolve('gateway_secret_id', 's-1')).toMatchObject({ ok: false, reason: 'not_found' });
    expect(await r.resolve('gateway_model_definition_id', 'd-1')).toMatchObject({ ok: false, reason: 'not_found' });
    // A scorer without an online scoring config: MLflow's REST API names no experiment for its id.
    expect(await r.resolve('scorer_id', fx.offlineScorer)).toMatchObject({ ok: false, reason: 'admin_only' });
    expect(await r.resolve('scorer_id', 'no-such-scorer')).toMatchObject({ ok: false, reason: 'admin_only' });
  });

  it('counts cache hits, coalesces concurrent lookups and bounds the cache', async () => {
    const r = createResolver({ upstreamUrl: mlflowUrl, maxEntries: 2 });
    await r.resolve('experiment_id', fx.expA);
    expect(r.stats()).toEqual({ hits: 0, misses: 1 });
    await r.resolve('experiment_id', fx.expA);
    expect(r.stats()).toEqual({ hits: 1, misses: 1 });
    // Ten concurrent lookups of one cold key: one upstream call.
    const all = await Promise.all(Array.from({ length: 10 }, () => r.resolve('experiment_name', fx.expBName)));
    for (const res of all) expect(res).toEqual(experiment(fx.expB, fx.expBName));
    expect(r.stats()).toEqual({ hits: 10, misses: 2 });
    // A third key evicts the oldest (experiment_id A).
    await r.resolve('experiment_id', fx.expB);
    expect(r.stats().misses).toBe(3);
    await r.resolve('experiment_id', fx.expA);
    expect(r.stats().misses).toBe(4);
  });

  it('invalidate() drops everything about a renamed experiment (also entries reached through children)', async () => {
    const name = `${tag}-rename-me`;
    const id = await createExperiment(name);
    const run = await api<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', { experiment_id: id });
    const r = createResolver({ upstreamUrl: mlflowUrl });
    expect(await r.resolve('experiment_id', id)).toEqual(experiment(id, name));
    expect(await r.resolve('run_id', run.run.info.run_id)).toEqual(child('run', run.run.info.run_id, id, name, expect.any(String)));
    expect(await r.resolve('experiment_name', name)).toEqual(experiment(id, name));
    await api('POST', '/api/2.0/mlflow/experiments/update', { experiment_id: id, new_name: `${name}-2` });
    expect(await r.resolve('experiment_id', id)).toEqual(experiment(id, name)); // still cached
    r.invalidate('experiment', id);
    expect(await r.resolve('experiment_id', id)).toEqual(experiment(id, `${name}-2`));
    expect(await r.resolve('run_id', run.run.info.run_id)).toEqual(child('run', run.run.info.run_id, id, `${name}-2`, expect.any(String)));
    expect(await r.resolve('experiment_name', name)).toMatchObject({ ok: false, reason: 'not_found' });

    // Registered models: a rename is invalidated by the old name.
    const model = `${tag}-model-rename`;
    await api('POST', '/api/2.0/mlflow/registered-models/create', { name: model });
    expect(await r.resolve('model_name', model)).toMatchObject({ ok: true });
    await api('POST', '/api/2.0/mlflow/registered-models/rename', { name: model, new_name: `${model}-2` });
    expect(await r.resolve('model_name', model)).toMatchObject({ ok: true }); // cached
    r.invalidate('registered_model', model);
    expect(await r.resolve('model_name', model)).toMatchObject({ ok: false, reason: 'not_found' });
  });

  it('caches not_found only briefly, so a just-created object is found', async () => {
    const r = createResolver({ upstreamUrl: mlflowUrl, notFoundTtlMs: 300 });
    const name = `${tag}-late`;
    expect(await r.resolve('experiment_name', name)).toMatchObject({ ok: false, reason: 'not_found' });
    const id = await createExperiment(name);
    expect(await r.resolve('experiment_name', name)).toMatchObject({ ok: false, reason: 'not_found' }); // cached
    await new Promise((res) => setTimeout(res, 350));
    expect(await r.resolve('experiment_name', name)).toEqual(experiment(id, name));
  });

  it('fresh: asks MLflow past a cached not_found (before an unknown id is passed on to MLflow)', async () => {
    const r = createResolver({ upstreamUrl: mlflowUrl, notFoundTtlMs: 60_000 });
    const name = `${tag}-fresh`;
    expect(await r.resolve('experiment_name', name)).toMatchObject({ ok: false, reason: 'not_found' });
    const id = await createExperiment(name);
    expect(await r.resolve('experiment_name', name)).toMatchObject({ ok: false, reason: 'not_found' }); // cached
    expect(await r.resolve('experiment_name', name, { fresh: true })).toEqual(experiment(id, name));
    expect(await r.resolve('experiment_id', '987654320', { fresh: true })).toMatchObject({ ok: false, reason: 'not_found' });
    expect(await r.resolve('experiment_id', 'abc')).toMatchObject({ ok: false, reason: 'not_found', malformed: true });
  });

  it('answers upstream_error when MLflow is unreachable, and does not cache it', async () => {
    const r = createResolver({ upstreamUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    const first = await r.resolve('run_id', 'abc');
    expect(first).toMatchObject({ ok: false, reason: 'upstream_error' });
    expect(r.stats()).toEqual({ hits: 0, misses: 1 });
    expect(await r.resolve('run_id', 'abc')).toMatchObject({ ok: false, reason: 'upstream_error' });
    expect(r.stats()).toEqual({ hits: 0, misses: 2 });
    // Pure-syntax answers need no upstream at all.
    expect(await r.resolve('artifact_path', '.')).toMatchObject({ ok: false, reason: 'admin_only' });
  });
});
