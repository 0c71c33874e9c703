import { callOk, pick } from './http.js';

// The MLflow objects the REST benchmarks touch, created directly on MLflow (no auth).

export interface RestFixtures {
  experimentId: string;
  experimentName: string;
  /** The run that log-metric / log-batch write to. */
  runId: string;
  modelName: string;
}

export async function createRestFixtures(mlflowUrl: string, tag: string): Promise<RestFixtures> {
  const api = `${mlflowUrl}/api/2.0/mlflow`;
  const experimentName = `bench-rest-${tag}`;
  const exp = await callOk('POST', `${api}/experiments/create`, { body: { name: experimentName } });
  const experimentId = String(pick(exp, 'experiment_id'));
  // runs/search returns a page of 10 out of 30 runs that carry a few params, metrics and tags.
  let runId = '';
  for (let i = 0; i < 30; i++) {
    const run = await callOk('POST', `${api}/runs/create`, { body: { experiment_id: experimentId, run_name: `run-${i}`, start_time: Date.now() } });
    runId = String(pick(run, 'run.info.run_id'));
    await callOk('POST', `${api}/runs/log-batch`, {
      body: {
        run_id: runId,
        metrics: [0, 1, 2].map((k) => ({ key: `m${k}`, value: i * k, timestamp: Date.now(), step: 0 })),
        params: [0, 1].map((k) => ({ key: `p${k}`, value: `v${i}-${k}` })),
        tags: [{ key: 'bench', value: tag }],
      },
    });
  }
  const modelName = `bench-model-${tag}`;
  await callOk('POST', `${api}/registered-models/create`, { body: { name: modelName, description: 'benchmark model' } });
  return { experimentId, experimentName, runId, modelName };
}
