import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unique, userId } from '../support/mlflow-api.js';
import { runPython } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';

// The permission matrix as the stock MLflow Python client sees it: alice (team-a) creates and uses
// an experiment with a run, an artifact and a trace; bob (no group) sees and changes nothing of it
// until a grant says so; alice, as a mere editor of someone else's experiment, cannot delete it.

const ALICE = `
import os, json, tempfile, mlflow
from mlflow import MlflowClient
mlflow.set_tracking_uri(os.environ["GW_URL"])
exp = mlflow.set_experiment(os.environ["EXP_NAME"])
with mlflow.start_run() as run:
    mlflow.log_metric("loss", 0.5)
    p = os.path.join(tempfile.mkdtemp(), "notes.txt"); open(p, "w").write("alice only")
    mlflow.log_artifact(p)
with mlflow.start_span(name="alice-span") as span:
    span.set_inputs({"q": "secret question"})
trace_id = mlflow.get_last_active_trace_id()
print(json.dumps({"exp": exp.experiment_id, "run": run.info.run_id, "trace": trace_id}))
`;

// Each probe prints ok or the gateway's error code the client received.
const BOB = `
import os, json, tempfile, mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
mlflow.set_tracking_uri(os.environ["GW_URL"])
c = MlflowClient()
ids = json.loads(os.environ["IDS"])
def probe(name, fn):
    try:
        fn(); return "ok"
    except MlflowException as e:
        body = getattr(e, "json", None) or {}
        return body.get("gateway_code") or body.get("error_code") or str(e)
def mlflow_view(fn):
    try:
        fn(); return "ok"
    except MlflowException as e:
        return "%s/%s" % (e.error_code, e.get_http_status_code())
out = {
  "as_mlflow_sees_it": mlflow_view(lambda: c.get_experiment(ids["exp"])),
  "get_experiment": probe("get_experiment", lambda: c.get_experiment(ids["exp"])),
  "search_experiments": [e.experiment_id for e in c.search_experiments(filter_string="name = '%s'" % os.environ["EXP_NAME"])],
  "get_run": probe("get_run", lambda: c.get_run(ids["run"])),
  "search_runs": len(c.search_runs([ids["exp"]])) if probe("x", lambda: c.search_runs([ids["exp"]])) == "ok" else probe("x", lambda: c.search_runs([ids["exp"]])),
  "download": probe("download", lambda: c.download_artifacts(ids["run"], "notes.txt", tempfile.mkdtemp())),
  "get_trace": probe("get_trace", lambda: c.get_trace(ids["trace"])),
  "log_metric": probe("log_metric", lambda: c.log_metric(ids["run"], "evil", 1.0)),
  "delete_experiment": probe("delete_experiment", lambda: c.delete_experiment(ids["exp"])),
}
print(json.dumps(out))
`;

describe('permission matrix with the MLflow Python client', () => {
  let stack: Stack;
  let ids: { exp: string; run: string; trace: string };
  let expName: string;
  const tokenOf = async (u: string) => (await stack.idp.getTokens(u)).access_token;
  const asBob = async () => {
    const r = await runPython(BOB, { GW_URL: stack.gatewayUrl, MLFLOW_TRACKING_TOKEN: await tokenOf('bob'), IDS: JSON.stringify(ids), EXP_NAME: expName });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  };

  beforeAll(async () => {
    stack = await startStack();
    expName = unique('py-matrix');
    const r = await runPython(ALICE, { GW_URL: stack.gatewayUrl, MLFLOW_TRACKING_TOKEN: await tokenOf('alice'), EXP_NAME: expName });
    expect(r.code, r.stderr).toBe(0);
    ids = JSON.parse(r.stdout.trim().split('\n').pop()!);
  });
  afterAll(async () => stack?.stop());

  it('bob can neither see nor touch alice\'s experiment, runs, artifacts or traces', async () => {
    expect(await asBob()).toEqual({
      as_mlflow_sees_it: 'PERMISSION_DENIED/403',
      get_experiment: 'GW_DENIED', search_experiments: [], get_run: 'GW_DENIED', search_runs: 0, download: 'GW_DENIED',
      get_trace: 'GW_DENIED', log_metric: 'GW_DENIED', delete_experiment: 'GW_DENIED',
    });
  });

  it('a group READ grant opens exactly the reads', async () => {
    await stack.server.gateway.store.grants.set({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: ids.exp, level: 'READ' });
    stack.idp.setUserGroups('bob', ['team-b']);
    try {
      expect(await asBob()).toEqual({
        as_mlflow_sees_it: 'ok',
        get_experiment: 'ok', search_experiments: [ids.exp], get_run: 'ok', search_runs: 1, download: 'ok',
        get_trace: 'ok', log_metric: 'GW_DENIED', delete_experiment: 'GW_DENIED',
      });
    } finally {
      stack.idp.setUserGroups('bob', []);
    }
  });

  it('an editor logs but cannot delete; the owner can', async () => {
    const bob = await userId(stack, 'bob');
    await stack.server.gateway.store.grants.set({ principalType: 'user', principal: bob, resourceType: 'experiment', resourceId: ids.exp, level: 'EDIT' });
    const seen = await asBob();
    expect(seen).toMatchObject({ get_experiment: 'ok', log_metric: 'ok', delete_experiment: 'GW_DENIED' });
    const del = await runPython(
      'import os, mlflow\nmlflow.set_tracking_uri(os.environ["GW_URL"])\nmlflow.MlflowClient().delete_experiment(os.environ["EXP"])\nprint("deleted")',
      { GW_URL: stack.gatewayUrl, MLFLOW_TRACKING_TOKEN: await tokenOf('alice'), EXP: ids.exp },
    );
    expect(del.stdout, del.stderr).toContain('deleted');
  });
});
