// One MLflow Python client snippet shared by the interop suites: create an experiment (EXP_NAME) or use
// one (EXP_ID), then create a run and log a metric in it — and report MLflow's own error if refused.
export const MLFLOW_WRITE = `
import os, mlflow
from mlflow.exceptions import MlflowException
mlflow.set_tracking_uri(os.environ["GW_URL"])
client = mlflow.MlflowClient()
try:
    exp_id = client.create_experiment(os.environ["EXP_NAME"]) if os.environ.get("EXP_NAME") else os.environ["EXP_ID"]
    run = client.create_run(exp_id)
    client.log_metric(run.info.run_id, "loss", 0.5)
    print("OK " + exp_id)
except MlflowException as e:
    status = e.get_http_status_code() if hasattr(e, "get_http_status_code") else ""
    print("ERR %s %s" % (e.error_code, status))
`;

export interface MlflowOutcome {
  readonly ok: boolean;
  readonly experimentId?: string;
  readonly errorCode?: string;
  readonly status?: number;
}

export function mlflowOutcome(r: { code: number; stdout: string; stderr: string }): MlflowOutcome {
  const ok = /^OK (\S+)$/m.exec(r.stdout);
  if (ok) return { ok: true, experimentId: ok[1]! };
  const err = /^ERR (\S+) (\d*)$/m.exec(r.stdout);
  if (err) return { ok: false, errorCode: err[1]!, ...(err[2] ? { status: Number(err[2]) } : {}) };
  throw new Error(`MLflow client failed unexpectedly (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
}
