// The stock MLflow Python client, as the interop suites use it: each attempt, with its own bearer token
// (MLFLOW_TRACKING_TOKEN, read by MLflow at every request), creates an experiment or uses one, then
// creates a run and logs a metric in it; a refusal is reported with MLflow's own error code and status.
// One Python process runs all attempts (importing mlflow takes seconds on a busy machine).
import { runPython } from '../../support/python.js';

const SCRIPT = `
import json, os, mlflow
from mlflow.exceptions import MlflowException
mlflow.set_tracking_uri(os.environ["GW_URL"])
client = mlflow.MlflowClient()
created = []
for i, a in enumerate(json.loads(os.environ["ATTEMPTS"])):
    os.environ["MLFLOW_TRACKING_TOKEN"] = a["token"]
    try:
        if "create" in a:
            exp_id = client.create_experiment(a["create"])
        else:
            exp_id = created[a["created"]] if "created" in a else a["experiment"]
        run = client.create_run(exp_id)
        client.log_metric(run.info.run_id, "loss", 0.5)
        print("OUT %d OK %s" % (i, exp_id))
    except MlflowException as e:
        status = e.get_http_status_code() if hasattr(e, "get_http_status_code") else ""
        print("OUT %d ERR %s %s" % (i, e.error_code, status))
        exp_id = None
    created.append(exp_id)
`;

/** `create`: a new experiment's name; `experiment`: an existing id; `created`: the index of an earlier attempt whose experiment to use. */
export type MlflowAttempt = { token: string } & ({ create: string } | { experiment: string } | { created: number });

export interface MlflowOutcome {
  readonly ok: boolean;
  readonly experimentId?: string;
  readonly errorCode?: string;
  readonly status?: number;
}

export async function mlflowAttempts(gatewayUrl: string, attempts: MlflowAttempt[]): Promise<MlflowOutcome[]> {
  const r = await runPython(SCRIPT, { GW_URL: gatewayUrl, ATTEMPTS: JSON.stringify(attempts) });
  const outcomes: MlflowOutcome[] = [];
  for (const m of r.stdout.matchAll(/^OUT (\d+) (?:OK (\S+)|ERR (\S+) (\d*))$/gm)) {
    outcomes[Number(m[1])] = m[2] !== undefined ? { ok: true, experimentId: m[2] } : { ok: false, errorCode: m[3]!, ...(m[4] ? { status: Number(m[4]) } : {}) };
  }
  if (r.code !== 0 || outcomes.length !== attempts.length) throw new Error(`MLflow client failed unexpectedly (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
  return outcomes;
}
