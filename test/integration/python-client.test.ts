import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { runPython } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';

// The stock MLflow Python client, unmodified, talking to the gateway with MLFLOW_TRACKING_TOKEN.
const LOG_RUN = `
import os, sys, tempfile, mlflow
mlflow.set_tracking_uri(os.environ["GW_URL"])
exp = mlflow.set_experiment(os.environ["EXP_NAME"])
with mlflow.start_run() as run:
    mlflow.log_param("alpha", "0.5")
    mlflow.log_metric("loss", 0.25, step=1)
    mlflow.log_metric("loss", 0.125, step=2)
    d = tempfile.mkdtemp()
    p = os.path.join(d, "notes.txt")
    open(p, "w").write("hello through the gateway")
    mlflow.log_artifact(p)
print("RUN_ID=" + run.info.run_id)
print("EXP_ID=" + exp.experiment_id)
client = mlflow.MlflowClient()
local = client.download_artifacts(run.info.run_id, "notes.txt", tempfile.mkdtemp())
print("ARTIFACT=" + open(local).read())
`;

describe('MLflow Python client through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('logs a run with params, metrics and an artifact using a JWT from the IdP', async () => {
    const { access_token } = await stack.idp.getTokens('alice');
    const name = `py-client-${Date.now()}`;
    const r = await runPython(LOG_RUN, { GW_URL: stack.gatewayUrl, EXP_NAME: name, MLFLOW_TRACKING_TOKEN: access_token });
    expect(r.code, r.stderr).toBe(0);
    const runId = /RUN_ID=(\w+)/.exec(r.stdout)?.[1];
    expect(r.stdout).toContain('ARTIFACT=hello through the gateway');
    // Read back directly from MLflow: the data really landed.
    const direct = await fetch(`${inject('mlflowUrl')}/api/2.0/mlflow/runs/get?run_id=${runId}`);
    const run = (await direct.json()) as { run: { data: { params: { key: string; value: string }[]; metrics: { key: string; value: number }[] } } };
    expect(run.run.data.params).toContainEqual({ key: 'alpha', value: '0.5' });
    expect(run.run.data.metrics.find((m) => m.key === 'loss')?.value).toBe(0.125);
  });

  it('fails with 401 without a token', async () => {
    const r = await runPython(LOG_RUN, { GW_URL: stack.gatewayUrl, EXP_NAME: `py-anon-${Date.now()}` });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/401|GW_UNAUTHENTICATED|Authentication required/);
  });
});
