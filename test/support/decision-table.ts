// The table of decisions (users × resources × read/update) the stock MLflow client gets from a
// server, for comparing access before and after a migration. Each cell is what a real call
// answered: "allow", "deny" (401/403), or the error code and status it raised otherwise.
import { runPythonIn } from './python.js';

export const DECISIONS_SCRIPT = String.raw`
import json, os
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
URL = os.environ["URL"]
CREDS = json.loads(os.environ["CREDS"])
RES = json.loads(os.environ["RESOURCES"])
table = {}
def as_(who):
    for k in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        os.environ.pop(k, None)
    c = CREDS[who]
    if "token" in c:
        os.environ["MLFLOW_TRACKING_TOKEN"] = c["token"]
    else:
        os.environ["MLFLOW_TRACKING_USERNAME"] = c["username"]
        os.environ["MLFLOW_TRACKING_PASSWORD"] = c["password"]
from mlflow.utils.credentials import get_default_host_creds
from mlflow.utils.rest_utils import http_request
def cell(fn, method, endpoint, **kw):
    try:
        fn()
        return "allow"
    except MlflowException as e:
        status = e.get_http_status_code()
        if e.error_code == "INTERNAL_ERROR":
            # mlflow-oidc-auth's refusal body is not MLflow's error JSON, so the client calls it
            # INTERNAL_ERROR: the same request through the client's own transport gives the status.
            status = http_request(get_default_host_creds(URL), endpoint, method, max_retries=0, **kw).status_code
        # A refusal is a 401/403, whatever body explains it; anything else is kept whole.
        return "deny" if status in (401, 403) else f"error {e.error_code} {status}"
for who in CREDS:
    as_(who)
    c = MlflowClient(URL)
    for r in RES:
        if r["type"] == "experiment":
            table[f"{who} read experiment {r['label']}"] = cell(lambda: c.get_experiment(r["id"]), "GET", "/api/2.0/mlflow/experiments/get", params={"experiment_id": r["id"]})
            table[f"{who} update experiment {r['label']}"] = cell(lambda: c.set_experiment_tag(r["id"], "probe", who), "POST", "/api/2.0/mlflow/experiments/set-experiment-tag", json={"experiment_id": r["id"], "key": "probe", "value": who})
        elif r["type"] == "prompt":
            table[f"{who} read prompt {r['label']}"] = cell(lambda: c.get_prompt(r["id"]), "GET", "/api/2.0/mlflow/registered-models/get", params={"name": r["id"]})
            table[f"{who} update prompt {r['label']}"] = cell(lambda: c.set_prompt_tag(r["id"], "probe", who), "POST", "/api/2.0/mlflow/registered-models/set-tag", json={"name": r["id"], "key": "probe", "value": who})
        else:
            table[f"{who} read model {r['label']}"] = cell(lambda: c.get_registered_model(r["id"]), "GET", "/api/2.0/mlflow/registered-models/get", params={"name": r["id"]})
            table[f"{who} update model {r['label']}"] = cell(lambda: c.set_registered_model_tag(r["id"], "probe", who), "POST", "/api/2.0/mlflow/registered-models/set-tag", json={"name": r["id"], "key": "probe", "value": who})
print("TABLE=" + json.dumps(table))
`;

export interface TableResource {
  readonly type: 'experiment' | 'registered_model' | 'prompt';
  readonly id: string;
  readonly label: string;
}

export async function decisionTable(python: string, url: string, creds: Record<string, unknown>, resources: readonly TableResource[]): Promise<Record<string, string>> {
  const r = await runPythonIn(python, DECISIONS_SCRIPT, { URL: url, CREDS: JSON.stringify(creds), RESOURCES: JSON.stringify(resources) }, 480_000);
  const line = r.stdout.split('\n').find((l) => l.startsWith('TABLE='));
  if (!line) throw new Error(`decision script failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line.slice('TABLE='.length)) as Record<string, string>;
}
