# The compatibility journey, run with one MLflow version's own Python client (test/compat/journey.test.ts).
# Writes go through the gateway (GW_URL, MLFLOW_TRACKING_TOKEN); every read is made twice, through
# the gateway and directly against MLflow (DIRECT_URL, no credentials), and both answers are printed
# as one JSON object per step: {"step", "gw", "direct"} or {"step", "skipped": why} or {"step", "error"}.
# The test compares them (for alice, the direct answer restricted to what she owns).
import json, os, sys, tempfile, traceback

import mlflow
from mlflow import MlflowClient
from packaging.version import Version

GW, DIRECT, PREFIX = os.environ["GW_URL"], os.environ["DIRECT_URL"], os.environ["PREFIX"]
V = Version(mlflow.__version__)
TOKEN = os.environ.pop("MLFLOW_TRACKING_TOKEN")


def gw_client():
    os.environ["MLFLOW_TRACKING_TOKEN"] = TOKEN
    mlflow.set_tracking_uri(GW)
    return MlflowClient(GW)


def direct_client():
    os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
    mlflow.set_tracking_uri(DIRECT)
    return MlflowClient(DIRECT)


def emit(step, **kw):
    print("STEP " + json.dumps({"step": step, **kw}, default=str), flush=True)


def both(step, read):
    """read(client) on the gateway and directly; prints both answers."""
    try:
        g = read(gw_client())
    except Exception as e:  # the gateway answer is an error: reported, the test fails on it
        emit(step, error=f"{type(e).__name__}: {e}"[:600])
        return None
    try:
        d = read(direct_client())
    finally:
        gw_client()
    emit(step, gw=g, direct=d)
    return g


def write(step, fn):
    try:
        r = fn()
        emit(step, gw=r, direct=r)
        return r
    except Exception as e:
        emit(step, error=f"{type(e).__name__}: {e}"[:600] + "\n" + traceback.format_exc()[-800:])
        return None


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


gw_client()
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
        info = mlflow.pyfunc.log_model(python_model=Echo(), pip_requirements=["mlflow"], registered_model_name=model_name, **kw)
    return {"run_id": run.info.run_id, "model_uri": info.model_uri}


logged = write("log_run_params_metrics_artifact_model", log_run) or {}
run_id = logged.get("run_id")

both("get_run", lambda c: (lambda r: {"params": r.data.params, "metrics": r.data.metrics, "status": r.info.status})(c.get_run(run_id)))
both("search_runs", lambda c: sorted(r.info.run_id for r in c.search_runs([exp_id])))
both("search_experiments", lambda c: sorted(e.name for e in c.search_experiments()))
both("search_experiments_filtered", lambda c: sorted(e.name for e in c.search_experiments(filter_string=f"name LIKE '{PREFIX}%'")))
both("get_experiment_by_name", lambda c: c.get_experiment_by_name(exp_name).experiment_id)
both("list_artifacts", lambda c: sorted(f.path for f in c.list_artifacts(run_id)))
both("download_artifact", lambda c: open(c.download_artifacts(run_id, "notes.txt", tempfile.mkdtemp())).read())
both("metric_history", lambda c: [(m.step, m.value) for m in c.get_metric_history(run_id, "loss")])

if V >= Version("2.3"):
    write("set_alias", lambda: gw_client().set_registered_model_alias(model_name, "champion", "1") or "ok")
    both("get_by_alias", lambda c: c.get_model_version_by_alias(model_name, "champion").version)
else:
    emit("set_alias", skipped="aliases arrived in MLflow 2.3")
both("search_registered_models", lambda c: sorted(m.name for m in c.search_registered_models()))
both("search_model_versions", lambda c: sorted((v.name, v.version) for v in c.search_model_versions(f"name='{model_name}'")))
both("get_registered_model", lambda c: c.get_registered_model(model_name).name)
both("load_model_predict", lambda c: mlflow.pyfunc.load_model(f"models:/{model_name}/1").predict([1, 2]) and "loaded")

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
        if V >= Version("3.0"):
            try:
                ts = c.search_traces(locations=[exp_id])
            except TypeError:  # before `locations` (3.x releases that only take experiment_ids)
                ts = c.search_traces(experiment_ids=[exp_id])
            return sorted((t.info.trace_id, t.info.state if hasattr(t.info, "state") else str(t.info.status)) for t in ts)
        ts = c.search_traces(experiment_ids=[exp_id])
        return sorted((t.info.request_id, str(t.info.status)) for t in ts)

    ids = both("search_traces", traces) or []
    if ids:
        tid = ids[0][0]
        both("get_trace", lambda c: [s.name for s in c.get_trace(tid).data.spans])
else:
    emit("log_trace", skipped="tracing arrived in MLflow 2.14")

if V >= Version("3.0"):
    both("search_logged_models", lambda c: sorted(m.name for m in mlflow.search_logged_models(experiment_ids=[exp_id], output_format="list")))
else:
    emit("search_logged_models", skipped="logged models arrived in MLflow 3.0")
print("DONE", flush=True)
