"""The operations of the differential session, in one fixed order (see driver.py).

Each `op(name, fn)` is one public client call (or one raw REST request for input the client would
never send). Names are `area.what[.variant]`; compare.ts's allowed-differences list refers to them.
Every area has valid calls and invalid ones: missing arguments, wrong types, malformed ids,
unknown references and `../` in names.
"""
import json
import re
import os
import tempfile
import time

UNKNOWN_RUN = "0123456789abcdef0123456789abcdef"
UNKNOWN_EXP = "987654321"
UNKNOWN_TRACE = "tr-0123456789abcdef0123456789abcdef"


def run_all(op, raw, c, store, P, ctx, mlflow):
    from mlflow.entities import Metric, Param, RunTag, DatasetInput, Dataset, InputTag, LoggedModelInput, LoggedModelOutput

    now = int(time.time() * 1000)

    # ----------------------------------------------------------------- experiments
    exp_id = op("experiments.create", lambda: c.create_experiment(P + "-exp", tags={"team": "a"}))
    op("experiments.create.duplicate", lambda: c.create_experiment(P + "-exp"))
    op("experiments.create.dotdot_name", lambda: c.create_experiment(P + "/team/../shared"))
    op("experiments.get", lambda: c.get_experiment(exp_id))
    op("experiments.get.unknown", lambda: c.get_experiment(UNKNOWN_EXP))
    # writes naming an experiment that does not exist: MLflow's own not-found answer
    op("experiments.set_tag.unknown", lambda: c.set_experiment_tag(UNKNOWN_EXP, "k", "v"))
    op("experiments.rename.unknown", lambda: c.rename_experiment(UNKNOWN_EXP, P + "-renamed"))
    op("experiments.restore.unknown", lambda: c.restore_experiment(UNKNOWN_EXP))
    op("experiments.get.malformed", lambda: c.get_experiment("not-a-number"))
    op("experiments.get_by_name", lambda: c.get_experiment_by_name(P + "-exp"))
    op("experiments.get_by_name.dotdot", lambda: c.get_experiment_by_name(P + "/team/../shared"))
    op("experiments.get_by_name.unknown", lambda: c.get_experiment_by_name(P + "-nope"))
    op("experiments.search", lambda: c.search_experiments(filter_string="name LIKE '%s%%'" % P))
    op("experiments.search.dotdot_filter", lambda: c.search_experiments(filter_string="name = '%s/../x'" % P))
    op("experiments.search.bad_filter", lambda: c.search_experiments(filter_string="nme = 'x'"))
    op("experiments.set_tag", lambda: c.set_experiment_tag(exp_id, "k", "v"))
    op("experiments.delete_tag", lambda: c.delete_experiment_tag(exp_id, "k"))
    op("experiments.rename", lambda: c.rename_experiment(exp_id, P + "-exp-renamed"))
    op("experiments.rename.back", lambda: c.rename_experiment(exp_id, P + "-exp"))
    op("experiments.fluent.set_experiment", lambda: mlflow.set_experiment(P + "-fluent").experiment_id)
    op("experiments.fluent.set_experiment.dotdot", lambda: mlflow.set_experiment(P + "-f/../g").name)
    op("experiments.raw.get.missing_id", raw("GET", "/api/2.0/mlflow/experiments/get"))
    op("experiments.raw.create.missing_name", raw("POST", "/api/2.0/mlflow/experiments/create", {}))
    op("experiments.raw.create.wrong_type", raw("POST", "/api/2.0/mlflow/experiments/create", {"name": ["not", "a", "string"]}))
    op("experiments.raw.get_by_name.missing", raw("GET", "/api/2.0/mlflow/experiments/get-by-name"))
    op("experiments.raw.delete.missing_id", raw("POST", "/api/2.0/mlflow/experiments/delete", {}))
    op("experiments.raw.update.missing_id", raw("POST", "/api/2.0/mlflow/experiments/update", {"new_name": "x"}))
    op("experiments.raw.search.wrong_type", raw("POST", "/api/2.0/mlflow/experiments/search", {"max_results": "lots"}))
    tmp_exp = op("experiments.create.to_delete", lambda: c.create_experiment(P + "-del"))
    op("experiments.delete", lambda: c.delete_experiment(tmp_exp))
    op("experiments.restore", lambda: c.restore_experiment(tmp_exp))

    # ----------------------------------------------------------------- runs, metrics, params, tags
    run = op("runs.create", lambda: c.create_run(exp_id, run_name="r1", tags={"t": "1"}))
    run_id = run.info.run_id if run else UNKNOWN_RUN
    op("runs.create.unknown_experiment", lambda: c.create_run(UNKNOWN_EXP, run_name="x"))
    op("runs.create.malformed_experiment", lambda: c.create_run("abc", run_name="x"))
    op("runs.get", lambda: c.get_run(run_id))
    op("runs.get.unknown", lambda: c.get_run(UNKNOWN_RUN))
    op("runs.get.malformed", lambda: c.get_run("../../etc"))
    op("runs.log_metric", lambda: c.log_metric(run_id, "loss", 0.5, step=1, timestamp=now))
    op("runs.log_metric.more", lambda: [c.log_metric(run_id, "loss", 0.1 * i, step=i, timestamp=now + i) for i in range(2, 6)])
    op("runs.log_metric.unknown_run", lambda: c.log_metric(UNKNOWN_RUN, "loss", 0.5))
    op("runs.log_param", lambda: c.log_param(run_id, "lr", "0.1"))
    op("runs.log_param.overwrite", lambda: c.log_param(run_id, "lr", "0.2"))
    op("runs.set_tag", lambda: c.set_tag(run_id, "stage", "dev"))
    op("runs.set_tag.dotdot_key", lambda: c.set_tag(run_id, "../x", "v"))
    op("runs.delete_tag", lambda: c.delete_tag(run_id, "stage"))
    op("runs.delete_tag.unknown", lambda: c.delete_tag(run_id, "nope"))
    op("runs.log_batch", lambda: c.log_batch(run_id, metrics=[Metric("acc", 0.9, now, 0)], params=[Param("bs", "32")], tags=[RunTag("b", "1")]))
    op("runs.log_batch.empty", lambda: c.log_batch(run_id))
    op("runs.get_metric_history", lambda: c.get_metric_history(run_id, "loss"))
    op("runs.get_metric_history.unknown_run", lambda: c.get_metric_history(UNKNOWN_RUN, "loss"))
    op("runs.update", lambda: c.update_run(run_id, status="RUNNING", name="r1b"))
    op("runs.search", lambda: c.search_runs([exp_id], order_by=["attributes.start_time DESC"]))
    op("runs.search.filter", lambda: c.search_runs([exp_id], filter_string="metrics.loss < 1"))
    op("runs.search.dotdot_filter", lambda: c.search_runs([exp_id], filter_string="tags.path = '../x'"))
    op("runs.search.bad_filter", lambda: c.search_runs([exp_id], filter_string="metrics.loss <<< 1"))
    op("runs.search.unknown_experiment", lambda: c.search_runs([UNKNOWN_EXP]))
    op("runs.raw.get.missing", raw("GET", "/api/2.0/mlflow/runs/get"))
    op("runs.raw.log_metric.missing_run", raw("POST", "/api/2.0/mlflow/runs/log-metric", {"key": "k", "value": 1, "timestamp": now}))
    op("runs.raw.log_metric.wrong_type", raw("POST", "/api/2.0/mlflow/runs/log-metric", {"run_id": run_id, "key": "k", "value": "x", "timestamp": now}))
    op("runs.raw.log_metric.missing_key", raw("POST", "/api/2.0/mlflow/runs/log-metric", {"run_id": run_id, "value": 1, "timestamp": now}))
    op("runs.raw.log_param.missing_run", raw("POST", "/api/2.0/mlflow/runs/log-parameter", {"key": "k", "value": "v"}))
    op("runs.raw.set_tag.missing_run", raw("POST", "/api/2.0/mlflow/runs/set-tag", {"key": "k", "value": "v"}))
    op("runs.raw.log_batch.metrics_not_list", raw("POST", "/api/2.0/mlflow/runs/log-batch", {"run_id": run_id, "metrics": {"key": "a"}}))
    op("runs.raw.log_batch.missing_run", raw("POST", "/api/2.0/mlflow/runs/log-batch", {"metrics": []}))
    op("runs.raw.log_batch.tags_not_list", raw("POST", "/api/2.0/mlflow/runs/log-batch", {"run_id": run_id, "tags": "x"}))
    op("runs.raw.create.wrong_type", raw("POST", "/api/2.0/mlflow/runs/create", {"experiment_id": exp_id, "run_name": "wt", "start_time": "yesterday"}))
    op("runs.raw.create.tags_not_list", raw("POST", "/api/2.0/mlflow/runs/create", {"experiment_id": exp_id, "run_name": "tn", "tags": {"a": "b"}}))
    op("runs.raw.update.missing", raw("POST", "/api/2.0/mlflow/runs/update", {"status": "FINISHED"}))
    op("runs.raw.delete.missing", raw("POST", "/api/2.0/mlflow/runs/delete", {}))
    op("runs.raw.search.wrong_type", raw("POST", "/api/2.0/mlflow/runs/search", {"experiment_ids": exp_id}))
    op("runs.raw.search.no_experiments", raw("POST", "/api/2.0/mlflow/runs/search", {"filter": "tags.x = '%s'" % P}))
    op("runs.raw.history.missing", raw("GET", "/api/2.0/mlflow/metrics/get-history", params={"metric_key": "loss"}))
    op("metrics.bulk_interval", raw("GET", "/api/2.0/mlflow/metrics/get-history-bulk-interval", params={"run_ids": [run_id], "metric_key": "loss", "max_results": 3}))
    op("metrics.bulk_interval.missing_runs", raw("GET", "/api/2.0/mlflow/metrics/get-history-bulk-interval", params={"metric_key": "loss"}))
    op("metrics.bulk_interval.unknown_run", raw("GET", "/api/2.0/mlflow/metrics/get-history-bulk-interval", params={"run_ids": [UNKNOWN_RUN], "metric_key": "loss"}))
    op("metrics.bulk", raw("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk", params={"run_id": [run_id], "metric_key": "loss"}))
    op("metrics.bulk.missing_runs", raw("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk", params={"metric_key": "loss"}))
    op("runs.promptlab", raw("POST", "/ajax-api/2.0/mlflow/runs/create-promptlab-run", {
        "experiment_id": exp_id, "run_name": "pl", "prompt_template": "Hi {{x}}", "prompt_parameters": [{"key": "x", "value": "y"}],
        "model_route": "route", "model_parameters": [{"key": "temperature", "value": "0.1"}], "model_input": "Hi y",
        "model_output": "Hello", "mlflow_version": "3.17.2", "user_id": "spoofed", "start_time": now}))
    op("runs.promptlab.missing_template", raw("POST", "/ajax-api/2.0/mlflow/runs/create-promptlab-run", {"experiment_id": exp_id}))
    # MLflow asserts the required fields before it looks the experiment up: its 400, not a not-found
    op("runs.promptlab.unknown_experiment.missing_template", raw("POST", "/ajax-api/2.0/mlflow/runs/create-promptlab-run", {"experiment_id": UNKNOWN_EXP}))
    op("runs.promptlab.unknown_experiment.missing_version", raw("POST", "/ajax-api/2.0/mlflow/runs/create-promptlab-run", {
        "experiment_id": UNKNOWN_EXP, "prompt_template": "t", "prompt_parameters": [{"key": "x", "value": "y"}], "model_route": "r", "model_input": "i"}))
    op("runs.promptlab.unknown_experiment", raw("POST", "/ajax-api/2.0/mlflow/runs/create-promptlab-run", {
        "experiment_id": UNKNOWN_EXP, "prompt_template": "t", "prompt_parameters": [{"key": "x", "value": "y"}], "model_route": "r", "model_input": "i", "mlflow_version": "3.17.2"}))
    op("runs.promptlab.search", lambda: [(r.info.run_name, r.data.params.get("model_route")) for r in c.search_runs([exp_id], filter_string="attributes.run_name = 'pl'")])

    # fluent runs
    mlflow.set_experiment(experiment_id=exp_id)
    def fluent_run():
        with mlflow.start_run(run_name="fluent") as r:
            mlflow.log_param("p", 1)
            mlflow.log_metrics({"m1": 1.0, "m2": 2.0}, step=0)
            mlflow.set_tags({"x": "y"})
            mlflow.log_dict({"a": 1}, "d/config.json")
            mlflow.log_text("hello", "notes.txt")
        return r.info.run_id
    fluent_id = op("runs.fluent.start_run", fluent_run)
    ctx["fluent"] = fluent_id
    op("runs.fluent.search_runs", lambda: mlflow.search_runs(experiment_ids=[exp_id], output_format="list"))
    op("runs.fluent.last_active", lambda: mlflow.last_active_run() is not None)

    # ----------------------------------------------------------------- artifacts (mlflow-artifacts: and the proxy)
    d = tempfile.mkdtemp()
    fpath = os.path.join(d, "model.txt")
    with open(fpath, "w") as f:
        f.write("weights")
    op("artifacts.log_artifact", lambda: c.log_artifact(run_id, fpath, "sub"))
    op("artifacts.log_artifacts", lambda: c.log_artifacts(run_id, d, "dir"))
    op("artifacts.list", lambda: c.list_artifacts(run_id))
    op("artifacts.list.sub", lambda: c.list_artifacts(run_id, "sub"))
    op("artifacts.list.dotdot", lambda: c.list_artifacts(run_id, "../"))
    op("artifacts.download", lambda: open(c.download_artifacts(run_id, "sub/model.txt", tempfile.mkdtemp())).read())
    op("artifacts.download.missing", lambda: c.download_artifacts(run_id, "sub/nope.txt", tempfile.mkdtemp()))
    op("artifacts.load_text", lambda: mlflow.artifacts.load_text("runs:/%s/notes.txt" % fluent_id) if fluent_id else None)
    op("artifacts.load_dict", lambda: mlflow.artifacts.load_dict("runs:/%s/d/config.json" % fluent_id) if fluent_id else None)
    op("artifacts.raw.list.missing_run", raw("GET", "/api/2.0/mlflow/artifacts/list"))
    op("artifacts.raw.get_artifact", raw("GET", "/get-artifact", params={"run_id": run_id, "path": "sub/model.txt"}))
    op("artifacts.raw.get_artifact.dotdot", raw("GET", "/get-artifact", params={"run_id": run_id, "path": "../x"}))
    op("artifacts.raw.upload", raw("POST", "/ajax-api/2.0/mlflow/upload-artifact", params={"run_uuid": run_id, "path": "up.txt"}, data=b"x", headers={"content-type": "text/plain"}))
    op("artifacts.raw.upload.dotdot", raw("POST", "/ajax-api/2.0/mlflow/upload-artifact", params={"run_uuid": run_id, "path": "../up.txt"}, data=b"x"))
    op("artifacts.proxy.list_root", raw("GET", "/api/2.0/mlflow-artifacts/artifacts"), brief_http=True)
    op("artifacts.proxy.list_experiment", raw("GET", "/api/2.0/mlflow-artifacts/artifacts", params={"path": str(exp_id)}), brief_http=True)
    # paths MLflow's validate_path_is_safe refuses ("Invalid path"), for everyone
    op("artifacts.proxy.list.dotdot", raw("GET", "/api/2.0/mlflow-artifacts/artifacts", params={"path": "%s/../x" % exp_id}))
    op("artifacts.proxy.list.encoded_dotdot", raw("GET", "/api/2.0/mlflow-artifacts/artifacts", params={"path": "%s/%%2e%%2e/x" % exp_id}))
    op("artifacts.proxy.list.hash", raw("GET", "/api/2.0/mlflow-artifacts/artifacts", params={"path": "%s/a#b" % exp_id}))
    op("artifacts.proxy.list.absolute", raw("GET", "/api/2.0/mlflow-artifacts/artifacts", params={"path": "/etc"}))

    # ----------------------------------------------------------------- inputs, outputs, datasets
    # The dataset's name is the session's own: before 3.10 MLflow's log_inputs reuses an existing
    # dataset row with the same name and digest in ANY experiment (sqlalchemy_store._log_inputs_impl),
    # so with a shared name only the session logging first would find it in its own experiment's
    # search-datasets answer (the other sessions on the same server get an empty list).
    ds = Dataset(name=P + "-ds", digest="abc123", source_type="local", source="file:///tmp/ds")
    op("inputs.log", lambda: c.log_inputs(run_id, [DatasetInput(ds, [InputTag("mlflow.data.context", "train")])]))
    op("inputs.get_run", lambda: [i.dataset.name for i in c.get_run(run_id).inputs.dataset_inputs])
    op("inputs.raw.missing_run", raw("POST", "/api/2.0/mlflow/runs/log-inputs", {"datasets": []}))
    op("datasets.search_ajax", raw("POST", "/ajax-api/2.0/mlflow/experiments/search-datasets", {"experiment_ids": [exp_id]}))
    op("datasets.search_ajax.empty", raw("POST", "/ajax-api/2.0/mlflow/experiments/search-datasets", {}))
    eds = op("datasets.create", lambda: c.create_dataset(P + "-eval", experiment_id=[exp_id], tags={"k": "v"}))
    eds_id = getattr(eds, "dataset_id", None) or "d-unknown"
    op("datasets.get", lambda: c.get_dataset(eds_id))
    op("datasets.get.unknown", lambda: c.get_dataset("d-00000000000000000000000000000000"))
    op("datasets.search", lambda: c.search_datasets(experiment_ids=[exp_id]))
    op("datasets.search.no_experiment", lambda: c.search_datasets(filter_string="name = '%s-eval'" % P), brief_http=True)
    op("datasets.raw.search.empty", raw("POST", "/api/3.0/mlflow/datasets/search", {}), brief_http=True)
    op("datasets.set_tags", lambda: c.set_dataset_tags(eds_id, {"k2": "v2"}))
    op("datasets.delete_tag", lambda: c.delete_dataset_tag(eds_id, "k2"))
    op("datasets.records.merge", lambda: eds.merge_records([{"inputs": {"q": "question-one"}, "expectations": {"a": "answer-two"}}]) and None if eds else None)
    op("datasets.raw.records", raw("GET", "/api/3.0/mlflow/datasets/%s/records" % eds_id))
    op("datasets.raw.experiment_ids", raw("GET", "/api/3.0/mlflow/datasets/%s/experiment-ids" % eds_id))

    # ----------------------------------------------------------------- logged models
    lm = op("logged_models.create", lambda: c.create_logged_model(exp_id, name="lm", source_run_id=run_id, tags={"a": "b"}, params={"p": "1"}))
    lm_id = getattr(lm, "model_id", None) or "m-unknown"
    op("logged_models.create.unknown_source_run", lambda: c.create_logged_model(exp_id, name="lm2", source_run_id=UNKNOWN_RUN))
    op("logged_models.get", lambda: c.get_logged_model(lm_id))
    op("logged_models.get.unknown", lambda: c.get_logged_model("m-0123456789abcdef0123456789abcdef"))
    op("logged_models.set_tags", lambda: c.set_logged_model_tags(lm_id, {"c": "d"}))
    op("logged_models.delete_tag", lambda: c.delete_logged_model_tag(lm_id, "c"))
    op("logged_models.log_params", lambda: c.log_model_params(lm_id, {"q": "2"}))
    op("logged_models.finalize", lambda: c.finalize_logged_model(lm_id, "READY"))
    op("logged_models.search", lambda: c.search_logged_models([exp_id]))
    op("logged_models.search.unknown_experiment", lambda: c.search_logged_models([UNKNOWN_EXP]))
    op("logged_models.list_artifacts", lambda: c.list_logged_model_artifacts(lm_id))
    op("logged_models.log_metric", lambda: c.log_metric(run_id, "lm_acc", 0.7, model_id=lm_id))
    op("logged_models.log_outputs", lambda: c.log_outputs(run_id, [LoggedModelOutput(lm_id, 0)]))
    op("logged_models.log_inputs", lambda: c.log_inputs(run_id, models=[LoggedModelInput(lm_id)]))
    op("logged_models.raw.create.missing_experiment", raw("POST", "/api/2.0/mlflow/logged-models", {"name": "x"}))
    op("logged_models.raw.search.empty", raw("POST", "/api/2.0/mlflow/logged-models/search", {}))

    # ----------------------------------------------------------------- traces v2/v3, assessments
    def make_trace():
        with mlflow.start_span(name="root") as span:
            span.set_inputs({"q": "hello"})
            span.set_outputs({"a": "world"})
        return mlflow.get_last_active_trace_id()
    trace_id = op("traces.fluent.start_span", make_trace) or UNKNOWN_TRACE
    mlflow.flush_trace_async_logging() if hasattr(mlflow, "flush_trace_async_logging") else None
    op("traces.get", lambda: c.get_trace(trace_id, display=False))
    op("traces.get.unknown", lambda: c.get_trace(UNKNOWN_TRACE, display=False))
    op("traces.search", lambda: c.search_traces(experiment_ids=[exp_id]))
    op("traces.search.filter", lambda: c.search_traces(experiment_ids=[exp_id], filter_string="attributes.status = 'OK'"))
    op("traces.search.unknown_experiment", lambda: c.search_traces(experiment_ids=[UNKNOWN_EXP]))
    op("traces.fluent.search", lambda: len(mlflow.search_traces(locations=[exp_id], return_type="list")))
    op("traces.set_tag", lambda: c.set_trace_tag(trace_id, "k", "v"))
    op("traces.delete_tag", lambda: c.delete_trace_tag(trace_id, "k"))
    op("traces.set_tag.unknown", lambda: c.set_trace_tag(UNKNOWN_TRACE, "k", "v"))
    def client_trace():
        span = c.start_trace("client-root", experiment_id=exp_id)
        c.end_trace(span.trace_id, outputs={"o": 1})
        return span.trace_id
    op("traces.client.start_end", client_trace)
    op("traces.link_to_run", lambda: c.link_traces_to_run([trace_id], run_id))
    op("traces.link_to_run.unknown_trace", lambda: c.link_traces_to_run([UNKNOWN_TRACE], run_id))
    op("traces.raw.v2.info", raw("GET", "/api/2.0/mlflow/traces/%s/info" % trace_id))
    op("traces.raw.v3.info", raw("GET", "/api/3.0/mlflow/traces/%s" % trace_id))
    op("traces.raw.v3.info.unknown", raw("GET", "/api/3.0/mlflow/traces/%s" % UNKNOWN_TRACE))
    op("traces.raw.v2.search", raw("GET", "/api/2.0/mlflow/traces", params={"experiment_ids": [exp_id]}))
    op("traces.raw.v3.search.empty", raw("POST", "/api/3.0/mlflow/traces/search", {}))
    op("traces.raw.batch_get", raw("GET", "/api/3.0/mlflow/traces/batchGet", params={"trace_ids": [trace_id]}))
    op("traces.raw.artifact", raw("GET", "/ajax-api/3.0/mlflow/get-trace-artifact", params={"request_id": trace_id}))
    from mlflow.entities import AssessmentSource, Feedback
    fb = op("assessments.log_feedback", lambda: mlflow.log_feedback(trace_id=trace_id, name="quality", value=True, source=AssessmentSource(source_type="HUMAN", source_id="rev")))
    fb_id = getattr(fb, "assessment_id", None) or "a-unknown"
    op("assessments.log_expectation", lambda: mlflow.log_expectation(trace_id=trace_id, name="expected", value="world"))
    op("assessments.get", lambda: c.get_assessment(trace_id, fb_id) if hasattr(c, "get_assessment") else mlflow.get_assessment(trace_id, fb_id))
    op("assessments.update", lambda: mlflow.update_assessment(trace_id=trace_id, assessment_id=fb_id, assessment=Feedback(name="quality", value=False)))
    op("assessments.get.unknown", lambda: mlflow.get_assessment(trace_id, "a-0000"))
    op("assessments.log.unknown_trace", lambda: mlflow.log_feedback(trace_id=UNKNOWN_TRACE, name="q", value=1))
    op("assessments.delete", lambda: mlflow.delete_assessment(trace_id=trace_id, assessment_id=fb_id))
    op("traces.delete", lambda: c.delete_traces(exp_id, trace_ids=[trace_id]))
    op("traces.delete.missing_experiment", raw("POST", "/api/3.0/mlflow/traces/delete-traces", {"trace_ids": [UNKNOWN_TRACE]}))

    # ----------------------------------------------------------------- issues, scorers, jobs
    op("issues.create", lambda: store.create_issue(exp_id, "slow answers", "answers are slow"))
    op("issues.search.experiment", lambda: store.search_issues(experiment_id=exp_id))
    op("issues.raw.search.empty", raw("POST", "/api/3.0/mlflow/issues/search", {}), brief_http=True)
    op("issues.raw.create.missing_experiment", raw("POST", "/api/3.0/mlflow/issues", {"name": "x"}))
    op("scorers.raw.list", raw("GET", "/api/3.0/mlflow/scorers/list", params={"experiment_id": exp_id}))
    op("scorers.raw.list.empty", raw("GET", "/api/3.0/mlflow/scorers/list"), brief_http=True)
    op("scorers.raw.get.unknown", raw("GET", "/api/3.0/mlflow/scorers/get", params={"experiment_id": exp_id, "name": "nope"}))
    op("scorers.raw.register.bad", raw("POST", "/api/3.0/mlflow/scorers/register", {"experiment_id": exp_id, "name": "s", "serialized_scorer": "not json"}))
    op("jobs.raw.get.unknown", raw("GET", "/ajax-api/3.0/jobs/job-unknown"))
    op("prompt_opt.raw.search", raw("POST", "/api/3.0/mlflow/prompt-optimization/jobs/search", {"experiment_id": exp_id}))

    # ----------------------------------------------------------------- registry: models, versions, aliases, tags
    rm = P + "-model"
    op("registry.create", lambda: c.create_registered_model(rm, tags={"a": "1"}, description="d"))
    op("registry.create.duplicate", lambda: c.create_registered_model(rm))
    op("registry.create.dotdot", lambda: c.create_registered_model(P + "/../m"))
    op("registry.get", lambda: c.get_registered_model(rm))
    op("registry.get.unknown", lambda: c.get_registered_model(P + "-nope"))
    # writes naming a model that does not exist: MLflow's own not-found answer
    op("registry.update.unknown", lambda: c.update_registered_model(P + "-nope", description="d"))
    op("registry.set_tag.unknown", lambda: c.set_registered_model_tag(P + "-nope", "k", "v"))
    op("registry.version.create.unknown_model", lambda: c.create_model_version(P + "-nope", "s3://bucket/model"))
    op("registry.search", lambda: c.search_registered_models(filter_string="name LIKE '%s%%'" % P))
    op("registry.search.dotdot_filter", lambda: c.search_registered_models(filter_string="name = '%s/../m'" % P))
    op("registry.search.max_results_too_big", lambda: c.search_registered_models(max_results=5000))
    op("registry.raw.search.max_results_wrong_type", raw("GET", "/api/2.0/mlflow/registered-models/search", params={"max_results": "lots"}))
    op("registry.raw.search.max_results_zero", raw("GET", "/api/2.0/mlflow/registered-models/search", params={"max_results": 0}))
    op("registry.update", lambda: c.update_registered_model(rm, description="d2"))
    op("registry.set_tag", lambda: c.set_registered_model_tag(rm, "k", "v"))
    op("registry.delete_tag", lambda: c.delete_registered_model_tag(rm, "k"))
    mv = op("registry.version.create", lambda: c.create_model_version(rm, "runs:/%s/sub" % run_id, run_id=run_id))
    # a non-local source with `..`: MLflow refuses it for everyone (relative path references), its answer
    op("registry.version.create.dotdot_artifacts", lambda: c.create_model_version(rm, "mlflow-artifacts:/%s/%s/artifacts/sub/.." % (exp_id, run_id), run_id=run_id))
    op("registry.version.create.foreign_run", lambda: c.create_model_version(rm, "s3://bucket/model", run_id=UNKNOWN_RUN))
    op("registry.version.create.from_logged_model", lambda: c.create_model_version(rm, "models:/%s" % lm_id, model_id=lm_id))
    op("registry.version.get", lambda: c.get_model_version(rm, "1"))
    op("registry.version.get.unknown", lambda: c.get_model_version(rm, "99"))
    op("registry.version.update", lambda: c.update_model_version(rm, "1", description="v1"))
    op("registry.version.set_tag", lambda: c.set_model_version_tag(rm, "1", "k", "v"))
    op("registry.version.delete_tag", lambda: c.delete_model_version_tag(rm, "1", "k"))
    op("registry.version.transition", lambda: c.transition_model_version_stage(rm, "1", "Staging"))
    op("registry.version.latest", lambda: c.get_latest_versions(rm))
    op("registry.version.download_uri", lambda: c.get_model_version_download_uri(rm, "1"))
    op("registry.version.search", lambda: c.search_model_versions("name = '%s'" % rm))
    op("registry.version.search.dotdot", lambda: c.search_model_versions("name = '%s/../m'" % P))
    op("registry.version.search.max_results_too_big", lambda: c.search_model_versions("name = '%s'" % rm, max_results=300000))
    op("registry.raw.version.search.max_results_zero", raw("GET", "/api/2.0/mlflow/model-versions/search", params={"max_results": 0}))
    op("registry.raw.version.search.max_results_wrong_type", raw("GET", "/api/2.0/mlflow/model-versions/search", params={"max_results": "lots"}))
    op("registry.alias.set", lambda: c.set_registered_model_alias(rm, "champion", "1"))
    op("registry.alias.get", lambda: c.get_model_version_by_alias(rm, "champion"))
    op("registry.alias.get.unknown", lambda: c.get_model_version_by_alias(rm, "nope"))
    op("registry.alias.delete", lambda: c.delete_registered_model_alias(rm, "champion"))
    op("registry.raw.create.missing_name", raw("POST", "/api/2.0/mlflow/registered-models/create", {}))
    op("registry.raw.get.missing_name", raw("GET", "/api/2.0/mlflow/registered-models/get"))
    op("registry.raw.version.create.missing_source", raw("POST", "/api/2.0/mlflow/model-versions/create", {"name": rm}))
    op("registry.raw.version.get.wrong_type", raw("GET", "/api/2.0/mlflow/model-versions/get", params={"name": rm, "version": "one"}))
    op("registry.raw.artifact", raw("GET", "/model-versions/get-artifact", params={"name": rm, "version": "1", "path": "model.txt"}))
    op("registry.version.delete", lambda: c.delete_model_version(rm, "2"))
    op("registry.rename", lambda: c.rename_registered_model(rm, rm + "-r"))
    op("registry.rename.back", lambda: c.rename_registered_model(rm + "-r", rm))

    # ----------------------------------------------------------------- prompts
    pn = P + "-prompt"
    op("prompts.register", lambda: mlflow.genai.register_prompt(pn, "Hello {{name}}", commit_message="c1", tags={"t": "1"}))
    op("prompts.register.v2", lambda: mlflow.genai.register_prompt(pn, "Hi {{name}}"))
    op("prompts.load", lambda: mlflow.genai.load_prompt("prompts:/%s/1" % pn).template)
    op("prompts.load.unknown", lambda: mlflow.genai.load_prompt("prompts:/%s-nope/1" % P))
    op("prompts.search", lambda: [p.name for p in mlflow.genai.search_prompts(filter_string="name LIKE '%s%%'" % P)])
    op("prompts.alias", lambda: mlflow.genai.set_prompt_alias(pn, "prod", 1))
    op("prompts.load.alias", lambda: mlflow.genai.load_prompt("prompts:/%s@prod" % pn).version)
    op("prompts.delete_alias", lambda: mlflow.genai.delete_prompt_alias(pn, "prod"))
    op("prompts.client.get", lambda: c.get_prompt(pn))
    op("prompts.client.set_tag", lambda: c.set_prompt_tag(pn, "k", "v"))
    op("prompts.client.search_versions", lambda: c.search_prompt_versions(pn))
    op("prompts.link_to_run", lambda: c.link_prompt_version_to_run(run_id, c.get_prompt_version(pn, 1)))

    # ----------------------------------------------------------------- webhooks
    wh = op("webhooks.create", lambda: c.create_webhook(P + "-hook", "https://example.invalid/hook", ["registered_model.created"]))
    wh_id = getattr(wh, "webhook_id", None) or "wh-unknown"
    op("webhooks.get", lambda: c.get_webhook(wh_id))
    op("webhooks.list", lambda: [w.name for w in c.list_webhooks() if w.name.startswith(P)], brief_http=True)
    op("webhooks.update", lambda: c.update_webhook(wh_id, description="x"))
    op("webhooks.delete", lambda: c.delete_webhook(wh_id))
    op("webhooks.get.unknown", lambda: c.get_webhook("wh-unknown"))

    # ----------------------------------------------------------------- AI gateway objects
    secret = op("gateway.secret.create", lambda: store.create_gateway_secret(P + "-sec", {"api_key": "sk-test-0000"}, provider="openai"))
    sec_id = getattr(secret, "secret_id", None) or "s-unknown"
    op("gateway.secret.get", lambda: store.get_secret_info(secret_id=sec_id))
    op("gateway.secret.list", lambda: [s for s in store.list_secret_infos() if s.secret_name.startswith(P)], brief_http=True)
    op("gateway.secret.update", lambda: store.update_gateway_secret(sec_id, secret_value={"api_key": "sk-test-1111"}))
    op("gateway.secrets_config", raw("GET", "/ajax-api/3.0/mlflow/gateway/secrets/config"))
    md = op("gateway.model_def.create", lambda: store.create_gateway_model_definition(P + "-md", sec_id, "openai", "gpt-4o-mini"))
    md_id = getattr(md, "model_definition_id", None) or "md-unknown"
    op("gateway.model_def.get", lambda: store.get_gateway_model_definition(md_id))
    op("gateway.model_def.list", lambda: [m for m in store.list_gateway_model_definitions() if m.name.startswith(P)], brief_http=True)
    op("gateway.model_def.update", lambda: store.update_gateway_model_definition(md_id, name=P + "-md2"))
    from mlflow.entities import GatewayEndpointModelConfig
    from mlflow.entities.gateway_endpoint import GatewayModelLinkageType
    ep = op("gateway.endpoint.create", lambda: store.create_gateway_endpoint(P + "-ep", [GatewayEndpointModelConfig(model_definition_id=md_id, linkage_type=GatewayModelLinkageType.PRIMARY, weight=1.0)], usage_tracking=False))
    ep_id = getattr(ep, "endpoint_id", None) or "e-unknown"
    op("gateway.endpoint.get", lambda: store.get_gateway_endpoint(endpoint_id=ep_id))
    op("gateway.endpoint.list", lambda: [e for e in store.list_gateway_endpoints() if e.name.startswith(P)], brief_http=True)
    op("gateway.bindings.list.by_type", raw("GET", "/api/3.0/mlflow/gateway/endpoints/bindings/list", params={"resource_type": "scorer"}), brief_http=True)
    op("gateway.bindings.list.endpoint", raw("GET", "/api/3.0/mlflow/gateway/endpoints/bindings/list", params={"endpoint_id": ep_id}))
    op("gateway.secret.list.by_provider", lambda: [s.secret_name for s in store.list_secret_infos(provider="openai") if s.secret_name.startswith(P)], brief_http=True)
    md2 = op("gateway.model_def.create.second", lambda: store.create_gateway_model_definition(P + "-md-b", sec_id, "openai", "gpt-4o"))
    md2_id = getattr(md2, "model_definition_id", None) or "md-unknown"
    op("gateway.endpoint.attach_model", lambda: store.attach_model_to_endpoint(endpoint_id=ep_id, model_config=GatewayEndpointModelConfig(model_definition_id=md2_id, linkage_type=GatewayModelLinkageType.PRIMARY, weight=1.0)))
    op("gateway.endpoint.get.two_models", lambda: sorted(m.model_definition.name for m in store.get_gateway_endpoint(endpoint_id=ep_id).model_mappings))
    op("gateway.endpoint.detach_model", lambda: store.detach_model_from_endpoint(endpoint_id=ep_id, model_definition_id=md2_id))
    op("gateway.endpoint.update.name", lambda: store.update_gateway_endpoint(endpoint_id=ep_id, name=P + "-ep2"))
    from mlflow.entities import GatewayResourceType
    job_ref = P + "-job-1"
    op("gateway.bindings.create", lambda: store.create_endpoint_binding(endpoint_id=ep_id, resource_type=GatewayResourceType.SCORER, resource_id=job_ref))
    op("gateway.bindings.list.by_resource", lambda: [(b.resource_id, b.resource_type.value) for b in store.list_endpoint_bindings(resource_id=job_ref)])
    op("gateway.bindings.list.endpoint_and_type", lambda: len(store.list_endpoint_bindings(endpoint_id=ep_id, resource_type=GatewayResourceType.SCORER)))
    op("gateway.bindings.delete", lambda: store.delete_endpoint_binding(endpoint_id=ep_id, resource_type=GatewayResourceType.SCORER.value, resource_id=job_ref))
    op("gateway.bindings.list.after_delete", lambda: len(store.list_endpoint_bindings(endpoint_id=ep_id)))
    op("gateway.model_def.delete.second", lambda: store.delete_gateway_model_definition(md2_id))
    sec2 = op("gateway.secret.create.dict", lambda: store.create_gateway_secret(P + "-sec-aws", {"aws_access_key_id": "AKIATEST1234", "aws_secret_access_key": "secret123abc"}, provider="bedrock"))
    sec2_id = getattr(sec2, "secret_id", None) or "s-unknown"
    md3 = op("gateway.model_def.create.orphan", lambda: store.create_gateway_model_definition(P + "-md-o", sec2_id, "bedrock", "anthropic.claude-v2"))
    md3_id = getattr(md3, "model_definition_id", None) or "md-unknown"
    ep3 = op("gateway.endpoint.create.orphan", lambda: store.create_gateway_endpoint(P + "-ep-o", [GatewayEndpointModelConfig(model_definition_id=md3_id, linkage_type=GatewayModelLinkageType.PRIMARY, weight=1.0)], usage_tracking=False))
    ep3_id = getattr(ep3, "endpoint_id", None) or "e-unknown"
    op("gateway.secret.delete.dict", lambda: store.delete_gateway_secret(sec2_id))
    op("gateway.endpoint.get.orphaned_model_def", lambda: [(m.model_definition.secret_id, m.model_definition.secret_name) for m in store.get_gateway_endpoint(endpoint_id=ep3_id).model_mappings])
    op("gateway.endpoint.delete.orphan", lambda: store.delete_gateway_endpoint(ep3_id))
    op("gateway.model_def.delete.orphan", lambda: store.delete_gateway_model_definition(md3_id))
    op("gateway.endpoint.delete", lambda: store.delete_gateway_endpoint(ep_id))
    op("gateway.model_def.delete", lambda: store.delete_gateway_model_definition(md_id))
    op("gateway.secret.delete", lambda: store.delete_gateway_secret(sec_id))
    op("gateway.raw.secret.get.missing", raw("GET", "/api/3.0/mlflow/gateway/secrets/get"))
    # budgets: writes administrators only (compare.ts: gateway.budgets.admin.*, with the reads of the
    # policy only an administrator can create); reads open to everyone, filtered per policy by its
    # target (a GLOBAL policy is everyone's to see)
    def budget_create():
        from mlflow.entities.gateway_budget_policy import BudgetAction, BudgetDuration, BudgetDurationUnit, BudgetTargetScope, BudgetUnit
        return store.create_budget_policy(budget_unit=BudgetUnit.USD, budget_amount=10.0, duration=BudgetDuration(unit=BudgetDurationUnit.DAYS, value=1),
                                          target_scope=BudgetTargetScope.GLOBAL, budget_action=BudgetAction.ALERT)
    bp = op("gateway.budgets.admin.create", budget_create)
    bp_id = getattr(bp, "budget_policy_id", None) or "bp-unknown"
    op("gateway.budgets.admin.get", lambda: store.get_budget_policy(bp_id))
    op("gateway.budgets.admin.update", lambda: store.update_budget_policy(bp_id, budget_amount=20.0))
    op("gateway.budgets.admin.listed", lambda: [p.budget_amount for p in store.list_budget_policies() if p.budget_policy_id == bp_id], brief_http=True)
    op("gateway.budgets.admin.delete", lambda: store.delete_budget_policy(bp_id))
    op("gateway.budgets.list", raw("GET", "/api/3.0/mlflow/gateway/budgets/list"), brief_http=True)
    op("gateway.budgets.list.page", raw("GET", "/api/3.0/mlflow/gateway/budgets/list", params={"max_results": "2"}), brief_http=True)
    op("gateway.budgets.list.bad_max", raw("GET", "/api/3.0/mlflow/gateway/budgets/list", params={"max_results": "-3"}))
    op("gateway.budgets.windows", raw("GET", "/api/3.0/mlflow/gateway/budgets/windows"), brief_http=True)
    op("gateway.budgets.get.unknown", raw("GET", "/api/3.0/mlflow/gateway/budgets/get", params={"budget_policy_id": "bp-unknown"}))
    op("gateway.budgets.get.missing", raw("GET", "/api/3.0/mlflow/gateway/budgets/get"))
    # guardrails (administrators only through the gateway: compare.ts)
    op("gateway.guardrails.list", raw("GET", "/api/3.0/mlflow/gateway/guardrails/list"), brief_http=True)
    op("gateway.guardrails.get.unknown", raw("GET", "/api/3.0/mlflow/gateway/guardrails/get", params={"guardrail_id": "gr-unknown"}))

    # ----------------------------------------------------------------- GraphQL (as MLflow's UI sends it)
    def gql(query, variables):
        return raw("POST", "/graphql", {"query": query, "variables": variables})
    op("graphql.get_experiment", gql("query MlflowGetExperimentQuery($input: MlflowGetExperimentInput) { mlflowGetExperiment(input: $input) { experiment { experimentId name lifecycleStage tags { key value } } } }", {"input": {"experimentId": exp_id}}))
    # MLflow's own size limits (graphql_no_batching.py), which it applies before validating the query:
    # its answer, not the gateway's. Only servers that have the scan (3.1.1 on) are asked; on the
    # others the operation records why it was skipped (the same on both targets).
    def gql_limit(query):
        from mlflow.utils.rest_utils import http_request
        server = http_request(store.get_host_creds(), "/version", "GET", max_retries=0).text.strip()
        release = tuple(int(x) for x in re.findall(r"\d+", server)[:3])
        if release < (3, 1, 1):
            return "skipped: MLflow %s has no GraphQL size scan (graphql_no_batching.py arrives in 3.1.1)" % server
        return gql(query, None)()
    deep = "name"
    for _ in range(12):
        deep = "name { %s }" % deep
    op("graphql.limits.depth", lambda: gql_limit('query q { mlflowGetExperiment(input: {experimentId: "%s"}) { experiment { %s } } }' % (exp_id, deep)))
    op("graphql.limits.selections", lambda: gql_limit('query q { mlflowGetExperiment(input: {experimentId: "%s"}) { experiment { %s } } }' % (exp_id, " ".join("field_%d { name }" % i for i in range(1002)))))
    op("graphql.limits.selections_in_fragment", lambda: gql_limit("query q { ...F } fragment F on Query { %s }" % " ".join('a%d: test(inputString: "x") { output }' % i for i in range(1001))))
    op("graphql.get_experiment.unknown", gql("query MlflowGetExperimentQuery($input: MlflowGetExperimentInput) { mlflowGetExperiment(input: $input) { experiment { experimentId name } } }", {"input": {"experimentId": UNKNOWN_EXP}}))
    op("graphql.get_run", gql("query GetRun($data: MlflowGetRunInput!) { mlflowGetRun(input: $data) { run { info { runUuid runName status } data { params { key value } } } } }", {"data": {"runId": run_id}}))
    op("graphql.get_run.unknown", gql("query GetRun($data: MlflowGetRunInput!) { mlflowGetRun(input: $data) { run { info { runUuid } } } }", {"data": {"runId": UNKNOWN_RUN}}))
    op("graphql.search_runs", gql("query SearchRuns($data: MlflowSearchRunsInput!) { mlflowSearchRuns(input: $data) { runs { info { runName } } } }", {"data": {"experimentIds": [exp_id], "filter": "attributes.run_name = 'r1b'"}}))
    def gql_run_pages():
        """Every page of a GraphQL run search, following nextPageToken (the gateway's own token when
        it pages the list itself): the run names per page, so page sizes and continuation compare."""
        from mlflow.utils.rest_utils import http_request
        query = "query SearchRuns($data: MlflowSearchRunsInput!) { mlflowSearchRuns(input: $data) { runs { info { runName } } nextPageToken } }"
        pages, token = [], None
        for _ in range(20):
            data = {"experimentIds": [exp_id], "maxResults": 2, "orderBy": ["attributes.run_name ASC"]}
            if token:
                data["pageToken"] = token
            resp = http_request(store.get_host_creds(), "/graphql", "POST", json={"query": query, "variables": {"data": data}}, max_retries=0)
            answer = resp.json() if resp.status_code == 200 else {}
            if answer.get("errors") or not (answer.get("data") or {}).get("mlflowSearchRuns"):
                return "no GraphQL run search on this server"  # before 3.10 (compare.ts / versioned.ts)
            found = answer["data"]["mlflowSearchRuns"]
            pages.append([r["info"]["runName"] for r in found.get("runs") or []])
            token = found.get("nextPageToken")
            if not token:
                break
        return pages
    op("graphql.search_runs.pages", gql_run_pages, brief_http=True)
    op("graphql.bulk_interval", gql("query GetMetricHistoryBulkInterval($data: MlflowGetMetricHistoryBulkIntervalInput!) { mlflowGetMetricHistoryBulkInterval(input: $data) { metrics { key step value } } }", {"data": {"runIds": [run_id], "metricKey": "loss", "maxResults": 2}}))
    op("graphql.list_artifacts", gql("query ListArtifacts($data: MlflowListArtifactsInput!) { mlflowListArtifacts(input: $data) { files { path isDir } } }", {"data": {"runId": run_id}}))
    op("graphql.search_model_versions", gql("query SearchModelVersions($input: MlflowSearchModelVersionsInput!) { mlflowSearchModelVersions(input: $input) { modelVersions { name version } } }", {"input": {"filter": "name = '%s'" % rm}}))

    # ----------------------------------------------------------------- clean-up (deletes, their errors)
    op("registry.delete", lambda: c.delete_registered_model(rm))
    op("registry.delete.unknown", lambda: c.delete_registered_model(rm))
    op("prompts.delete_versions", lambda: [c.delete_prompt_version(pn, v) for v in ("1", "2")])
    op("logged_models.delete", lambda: c.delete_logged_model(lm_id))
    op("datasets.delete", lambda: c.delete_dataset(eds_id))
    op("runs.delete", lambda: c.delete_run(run_id))
    op("runs.restore", lambda: c.restore_run(run_id))
    op("runs.delete.unknown", lambda: c.delete_run(UNKNOWN_RUN))
    op("experiments.delete.main", lambda: c.delete_experiment(exp_id))
    op("experiments.delete.unknown", lambda: c.delete_experiment(UNKNOWN_EXP))
