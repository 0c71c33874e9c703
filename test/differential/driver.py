"""Differential driver: one scripted session of MLflow's own Python client against ONE target.

Run it once against MLflow directly and once through the gateway (same script, same order), then
diff the two outputs (test/differential/compare.ts). Every operation records what the client saw:
its outcome (return value or MlflowException: error_code, HTTP status, message) and every HTTP
exchange it made (method, path, status, JSON body). Ids, timestamps, the run's name prefix and the
target URL are normalised, so two sessions that did the same thing print the same JSON.

Parameters (all explicit, so the `versions` suite can run it per MLflow version):
  MLFLOW_TRACKING_URI    the target (MLflow's URL, or the gateway's)
  MLFLOW_TRACKING_TOKEN  bearer token for the gateway (unset for MLflow directly)
  DIFF_PREFIX            unique name prefix of this session's objects (normalised to <P>)
  DIFF_OUT               file the JSON result is written to
Run with the python of the MLflow venv under test.
"""
import json
import os
import re
import sys
import tempfile
import threading
import traceback

# Traces are exported synchronously, so a read right after a write sees it on both targets.
os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")

import requests

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException, RestException

URI = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
TOKEN = os.environ.get("MLFLOW_TRACKING_TOKEN")
P = os.environ["DIFF_PREFIX"]
OUT = os.environ["DIFF_OUT"]
ONLY = set(filter(None, os.environ.get("DIFF_ONLY", "").split(",")))

# ---------------------------------------------------------------------------------------------
# Normalisation

ID_KEYS = {
    "experiment_id", "experiment_ids", "run_id", "run_uuid", "trace_id", "request_id", "model_id",
    "source_run_id", "dataset_id", "assessment_id", "scorer_id", "endpoint_id", "secret_id",
    "model_definition_id", "job_id", "webhook_id", "issue_id", "queue_id", "schema_id", "span_id",
    "parent_id", "parent_span_id", "logged_model_id", "dataset_record_id", "id", "trace_ids",
    "run_ids", "resource_id", "model_ids", "binding_id", "guardrail_id", "budget_policy_id",
    "experimentId", "runId", "runUuid", "traceId", "requestId", "modelId", "datasetId",
}
TIME_KEY = re.compile(r"(time|timestamp|_ms|duration|_at|Time|Timestamp|_nano|Ms|At)$")
HEX32 = re.compile(r"\b[0-9a-f]{32}\b")
EPOCH_MS = re.compile(r"\b1[0-9]{12}\b")
DATETIME = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?\b")
PY_SET = re.compile(r"\{('[^']*'(?:, '[^']*')*)\}")
NUMERIC_ID = r"(/|id=|path=|experiment |Experiment |'|\"|,|\[|\()%s(?=[/'\",\]) ]|\.(?![0-9])|%%2F|$)"
# values that depend on names, id lengths or timestamps of the session, not on the target
OPAQUE_KEYS = {"digest", "mlflow.trace.sizeBytes", "mlflow.trace.sizeStats", "mlflow.source.git.commit"}
# tags the client writes from a background thread (prompt ↔ experiment linking): present or not
# depending on timing, on either target
RACY_TAGS = {"_mlflow_experiment_ids"}
# links in MLflow's messages that carry numbers of their own (SQLAlchemy's error help pages)
HELP_LINK = re.compile(r"https://sqlalche\.me/e/[0-9]+/[a-z0-9]+")
# the target's address inside urllib3's retry messages (older clients retry 500s and quote it)
POOL_ADDRESS = re.compile(r"HTTPConnectionPool\(host='[^']*', port=[0-9]+\)")


class Normaliser:
    """Ids are labelled by the operation that first saw them (`<runs.create#1>`), so a difference in
    one operation's answer cannot shift the labels of every later one."""

    def __init__(self):
        self.ids = {}
        self.op = ""
        self.seen_in_op = 0

    def label(self, value):
        if value not in self.ids:
            self.seen_in_op += 1
            self.ids[value] = "<%s#%d>" % (self.op, self.seen_in_op)
        return self.ids[value]

    def collect(self, node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                self.collect(v, k)
        elif isinstance(node, list):
            for v in node:
                self.collect(v, key)
        elif key in ID_KEYS and isinstance(node, (str, int)) and str(node) not in ("", "0"):
            self.label(str(node))

    def text(self, s, key=None):
        s = HELP_LINK.sub("<sqlalchemy-help>", s.replace(URI, "<URL>").replace(P, "<P>"))
        s = POOL_ADDRESS.sub("HTTPConnectionPool(<address>)", s)
        if (key in ID_KEYS or key == "ok") and s in self.ids:
            return self.ids[s]
        ids = sorted(self.ids, key=len, reverse=True)
        # Numeric ids (experiments) first and only where an id stands: after "/", "id=", a quote,
        # a comma…, never a whole value under another key ("version": "2") nor inside "0.2",
        # "Errno -2" or a label's "#2".
        for value in (v for v in ids if v.isdigit()):
            s = re.sub(NUMERIC_ID % re.escape(value), lambda m, v=value: m.group(1) + self.ids[v], s)
        for value in (v for v in ids if not v.isdigit() and len(v) >= 6):
            s = s.replace(value, self.ids[value])
        # ids the session never saw under an id key (generated span ids, digests): shape only
        s = HEX32.sub("<hex32>", s)
        s = EPOCH_MS.sub("<t>", s)
        s = DATETIME.sub("<datetime>", s)
        # Python set reprs in MLflow's messages come out in per-process hash order
        return PY_SET.sub(lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", s)

    def walk(self, node, key=None):
        if isinstance(node, list):
            node = [v for v in node if not (isinstance(v, dict) and v.get("key") in RACY_TAGS)]
        if isinstance(node, dict):
            node = {k: v for k, v in node.items() if k not in RACY_TAGS}
            if node.get("key") in OPAQUE_KEYS and "value" in node:
                return {**{k: self.walk(v, k) for k, v in sorted(node.items()) if k != "value"}, "value": "<%s>" % node["key"]}
            return {k: self.walk(v, k) for k, v in sorted(node.items())}
        if isinstance(node, list):
            return [self.walk(v, key) for v in node]
        if key is not None and TIME_KEY.search(key) and isinstance(node, (int, float, str)) and node != "":
            return "<t>"
        if key in OPAQUE_KEYS and node:
            return "<%s>" % key
        if isinstance(node, str):
            return self.text(node, key)
        if key in ID_KEYS and isinstance(node, int):
            return self.ids.get(str(node), node)
        return node

    def __call__(self, op, node):
        self.op, self.seen_in_op = op, 0
        self.collect(node)
        return self.walk(node)


N = Normaliser()

# ---------------------------------------------------------------------------------------------
# Recording every HTTP exchange the client makes

_exchanges = []
_original_request = requests.Session.request


def _recording_request(self, method, url, *args, **kwargs):
    resp = _original_request(self, method, url, *args, **kwargs)
    # Only the session's own calls: the client's background threads (prompt registration polls,
    # async logging) finish at times that differ between two runs.
    if threading.current_thread() is not threading.main_thread():
        return resp
    path = url.split("?", 1)[0]
    entry = {"method": method.upper(), "path": path, "status": resp.status_code}
    if not kwargs.get("stream"):
        ctype = resp.headers.get("content-type", "")
        if "json" in ctype:
            try:
                entry["json"] = resp.json()
            except ValueError:
                entry["text"] = resp.text[:300]
        elif resp.status_code >= 400:
            entry["text"] = resp.text[:300]
    _exchanges.append(entry)
    return resp


requests.Session.request = _recording_request


def to_plain(value):
    """A client return value as JSON-able data (entities via to_dictionary/to_proto)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_plain(v) for v in value]
    if hasattr(value, "token") and hasattr(value, "__iter__"):  # PagedList
        return {"items": [to_plain(v) for v in value], "token": bool(value.token)}
    for attr in ("to_dictionary", "to_dict"):
        fn = getattr(value, attr, None)
        if callable(fn):
            try:
                return to_plain(fn())
            except Exception:
                pass
    if hasattr(value, "to_proto"):
        try:
            from google.protobuf.json_format import MessageToDict

            return MessageToDict(value.to_proto(), preserving_proto_field_name=True)
        except Exception:
            pass
    if hasattr(value, "__dict__"):
        return {k.lstrip("_"): to_plain(v) for k, v in vars(value).items() if not callable(v)}
    return repr(value)


results = []
ctx = {}


def brief(entry):
    """An answer that lists server-wide objects (other sessions' too): status and error only."""
    out = {k: entry[k] for k in ("method", "path", "status")}
    body = entry.get("json")
    if isinstance(body, dict):
        out["error_code"] = body.get("error_code")
        out["message"] = body.get("message")
    return out


def op(name, fn, brief_http=False):
    """Run one operation; record outcome and exchanges (brief_http: status/error only)."""
    if ONLY and not any(name.startswith(o) for o in ONLY):
        return None
    del _exchanges[:]
    value = None
    try:
        value = fn()
        outcome = {"ok": to_plain(value)}
    except MlflowException as e:
        outcome = {"error": type(e).__name__, "error_code": e.error_code, "status": e.get_http_status_code(), "message": e.message}
    except Exception as e:  # the client itself failed (a driver bug shows up in both runs)
        outcome = {"error": type(e).__name__, "message": str(e)[:500]}
    record = {"op": name, "outcome": outcome, "http": [brief(x) if brief_http else dict(x) for x in _exchanges]}
    results.append(N(name, record))
    return value


def raw(method, path, body=None, params=None, headers=None, data=None):
    """A raw REST call with the target's credentials (invalid inputs the client would never send)."""
    h = {"Authorization": "Bearer %s" % TOKEN} if TOKEN else {}
    h.update(headers or {})
    kwargs = {"params": params, "headers": h, "timeout": 60}
    if body is not None:
        kwargs["json"] = body
    if data is not None:
        kwargs["data"] = data
    resp = requests.request(method, URI + path, **kwargs)
    return {"status": resp.status_code}


def R(method, path, body=None, **kw):
    return lambda: raw(method, path, body, **kw)




def _stand_in_missing_entities():
    """The scenarios are written for the pinned client; an older MLflow's client lacks some entity
    classes (logged models before 3.0, assessments, AI-gateway entities). Those names are stood in by
    classes that fail when used, so an operation needing one fails with the same client error on
    both targets (and is compared like any other) instead of the whole session stopping at an import."""
    import importlib
    import sys
    import types

    class _Missing(type):
        def __call__(cls, *args, **kwargs):
            raise AttributeError("%s is not in MLflow %s" % (cls.__name__, mlflow.__version__))

        def __getattr__(cls, attr):
            raise AttributeError("%s is not in MLflow %s" % (cls.__name__, mlflow.__version__))

    wanted = {
        "mlflow.entities": ["LoggedModelInput", "LoggedModelOutput", "AssessmentSource", "Feedback", "GatewayEndpointModelConfig", "GatewayResourceType"],
        "mlflow.entities.gateway_endpoint": ["GatewayModelLinkageType"],
    }
    for module_name, names in wanted.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = types.ModuleType(module_name)
            sys.modules[module_name] = module
            parent, _, child = module_name.rpartition(".")
            setattr(importlib.import_module(parent), child, module)
        for name in names:
            if not hasattr(module, name):
                setattr(module, name, _Missing(name, (), {}))


_stand_in_missing_entities()
c = MlflowClient()
mlflow.set_tracking_uri(URI)
store = c._tracking_client.store

from scenarios import run_all  # noqa: E402  (the operations, in one order for every target)

try:
    run_all(op=op, raw=R, c=c, store=store, P=P, ctx=ctx, mlflow=mlflow)
except Exception:
    results.append({"op": "driver.crash", "outcome": {"error": traceback.format_exc()}})
finally:
    with open(OUT, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
print("ops=%d" % len(results))
