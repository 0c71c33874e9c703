# The compatibility journey, run with one MLflow version's own Python client (test/compat/journey.test.ts).
# MODE=gateway: every write and every read through the gateway (URL, MLFLOW_TRACKING_TOKEN); prints
# each step and, at the end, the ids it created (STATE). MODE=direct: the same reads, in a fresh
# process (the client caches artifact repositories per URL), directly against MLflow with STATE.
# One line per step: STEP {"step", "value"} or {"step", "skipped": why} or {"step", "error"}.
import json, os, tempfile, traceback

import mlflow
from mlflow import MlflowClient
from packaging.version import Version

MODE, URL, PREFIX = os.environ["MODE"], os.environ["URL"], os.environ["PREFIX"]
STATE = json.loads(os.environ.get("STATE", "{}"))
V = Version(mlflow.__version__)
mlflow.set_tracking_uri(URL)
client = MlflowClient(URL)


def emit(step, **kw):
    print("STEP " + json.dumps({"step": step, **kw}, default=str), flush=True)


def read(step, fn):
    try:
        value = fn(client)
    except Exception as e:
        emit(step, error=f"{type(e).__name__}: {e}"[:600])
        return None
    emit(step, value=value)
    return value


def write(step, fn):
    if MODE == "direct":
        return STATE.get(step)
    try:
        STATE[step] = fn()
        emit(step, value=STATE[step])
    except Exception as e:
        emit(step, error=f"{type(e).__name__}: {e}"[:600] + "\n" + traceback.format_exc()[-800:])
        STATE[step] = None
    return STATE[step]


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


exp_name = f"{PREFIX}-exp"
model_name = f"{PREFIX}-model"
exp_id = write("set_experiment", lambda: mlflow.set_experiment(exp_name).experiment_id)


def log_run():
    with mlflow.start_run() as run:
        mlflow.log_param("alpha", "0.5")
        mlflow.log_metric("loss", 0.25, step=1)
        mlflow.log_metric("loss", 0.125, step=2)
        d = tempfile.mkdtemp()
        p = os.path.join(d, "notes.txt")
        open(p, "w").write("hello through the gateway")
        mlflow.log_artifact(p)
        kw = {"name": "model"} if V >= Version("3.0") else {"artifact_path": "model"}
        mlflow.pyfunc.log_model(python_model=Echo(), pip_requirements=["mlflow"], registered_model_name=model_name, **kw)
    return run.info.run_id


run_id = write("log_run_params_metrics_artifact_model", log_run)

read("get_run", lambda c: (lambda r: {"params": r.data.params, "metrics": r.data.metrics, "status": r.info.status})(c.get_run(run_id)))
read("search_runs", lambda c: sorted(r.info.run_id for r in c.search_runs([exp_id])))
read("search_experiments", lambda c: sorted(e.name for e in c.search_experiments()))
read("search_experiments_filtered", lambda c: sorted(e.name for e in c.search_experiments(filter_string=f"name LIKE '{PREFIX}%'")))
read("get_experiment_by_name", lambda c: c.get_experiment_by_name(exp_name).experiment_id)
read("list_artifacts", lambda c: sorted(f.path for f in c.list_artifacts(run_id)))
read("download_artifact", lambda c: open(c.download_artifacts(run_id, "notes.txt", tempfile.mkdtemp())).read())
read("metric_history", lambda c: [(m.step, m.value) for m in c.get_metric_history(run_id, "loss")])

if V >= Version("2.3"):
    write("set_alias", lambda: client.set_registered_model_alias(model_name, "champion", "1") or "ok")
    read("get_by_alias", lambda c: c.get_model_version_by_alias(model_name, "champion").version)
else:
    emit("set_alias", skipped="aliases arrived in MLflow 2.3")
read("search_registered_models", lambda c: sorted(m.name for m in c.search_registered_models()))
read("search_model_versions", lambda c: sorted((v.name, v.version) for v in c.search_model_versions(f"name='{model_name}'")))
read("get_registered_model", lambda c: c.get_registered_model(model_name).name)
read("load_model_predict", lambda c: list(mlflow.pyfunc.load_model(f"models:/{model_name}/1").predict([1, 2])))

if V >= Version("2.14"):
    def make_trace():
        mlflow.set_experiment(exp_name)

        @mlflow.trace
        def add(a, b):
            return a + b

        add(1, 2)
        return "ok"

    write("log_trace", make_trace)

    def traces(c):
        try:
            ts = c.search_traces(locations=[exp_id])
        except TypeError:  # releases before `locations` take experiment_ids only
            ts = c.search_traces(experiment_ids=[exp_id])
        return sorted(getattr(t.info, "trace_id", None) or t.info.request_id for t in ts)

    if MODE == "gateway":
        # Newer clients export traces in the background: wait (bounded) until the trace is stored,
        # so that both processes read the same data.
        import time
        for _ in range(20):
            try:
                if traces(client):
                    break
            except Exception:
                break
            time.sleep(0.5)
    ids = read("search_traces", traces) or []
    if ids:
        read("get_trace", lambda c: [s.name for s in c.get_trace(ids[0]).data.spans])
else:
    emit("log_trace", skipped="tracing arrived in MLflow 2.14")

if V >= Version("3.0"):
    read("search_logged_models", lambda c: sorted(m.name for m in mlflow.search_logged_models(experiment_ids=[exp_id], output_format="list")))
else:
    emit("search_logged_models", skipped="logged models arrived in MLflow 3.0")
if MODE == "gateway":
    print("STATE " + json.dumps(STATE), flush=True)
print("DONE", flush=True)
