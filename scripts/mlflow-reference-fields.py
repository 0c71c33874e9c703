#!/usr/bin/env python3
"""Print every reference-shaped field of the installed MLflow's request messages, as JSON.

Run with the pinned MLflow venv's interpreter (see scripts/mlflow-venv.sh):

    "$(bash scripts/mlflow-venv.sh)/bin/python" scripts/mlflow-reference-fields.py

Walks the protobuf services the server registers (tracking, model registry, artifacts,
webhooks: handlers.get_endpoints): for each RPC, its request message and the messages nested in it
(depth-limited, cycles cut), and prints the fields whose name says they name another resource:
`*_id`, `*_ids`, `*_uri`, `*_uris`, `*_name`, `*_names`, `source`, `artifact_location`, `name`
(nested names), `location(s)`. Output: a JSON array of {"rpc" (the request message's name,
as the route table's `rpc`), "message", "field"} sorted by rpc then field; `field` is a dotted path in the gateway's syntax (`a[].b` iterates a repeated message).
FastAPI routes (OTLP, jobs, AI-gateway invocations, MCP registry…) are listed the same way from
their header, query and path parameters (headers: every `X-MLflow-*` one) and request models, with
"rpc" the endpoint function's name and "message" `fastapi:<path>`.
Used by test/mlflow-reference-coverage.test.ts, which fails unless each field is classified in
the route table (primary id, reference with its level) or in src/mlflow/reference-fields.ts (inert,
with a reason).
"""

import json
import re
import sys
import traceback
import warnings

_SHAPED = re.compile(r"(_id|_ids|_uri|_uris|_name|_names)$|^(source|artifact_location|name|location|locations|run_link)$")
_MAX_DEPTH = 5


def _services():
    """The protobuf services the tracking server registers (handlers.get_endpoints)."""
    from mlflow.server import handlers

    for name in ("MlflowService", "ModelRegistryService", "MlflowArtifactsService", "WebhookService"):
        service = getattr(handlers, name, None)
        if service is not None:
            yield service.DESCRIPTOR


def _fields(message, prefix, depth, stack, out):
    for f in message.fields:
        path = prefix + f.name
        repeated = getattr(f, "is_repeated", None)
        if repeated is None:
            repeated = f.label == f.LABEL_REPEATED
        is_message = f.type == f.TYPE_MESSAGE
        is_map = is_message and f.message_type.GetOptions().map_entry
        if _SHAPED.search(f.name) and not (is_message and not is_map):
            out.append(path)
        if is_message and not is_map and depth < _MAX_DEPTH and f.message_type.full_name not in stack:
            _fields(f.message_type, path + ("[]." if repeated else "."), depth + 1, stack | {f.message_type.full_name}, out)


def _fastapi_rows():
    """FastAPI routes: header, query and path parameters and request-model fields, by endpoint name."""
    from mlflow.server.fastapi_app import app
    from starlette.routing import Mount

    def walk(routes):
        for r in routes:
            included = getattr(r, "original_router", None)
            if included is not None and getattr(r, "include_context", None) is not None:
                yield from walk(list(included.routes) + list(getattr(included, "_low_priority_routes", [])))
                continue
            if isinstance(r, Mount) or getattr(r, "dependant", None) is None:
                continue
            yield r

    def model_fields(model, prefix, depth, out):
        for name, info in (getattr(model, "model_fields", None) or {}).items():
            alias = info.alias or name
            if _SHAPED.search(alias):
                out.append(prefix + alias)
            sub = info.annotation
            if depth < _MAX_DEPTH and hasattr(sub, "model_fields"):
                model_fields(sub, prefix + alias + ".", depth + 1, out)

    rows = []
    for r in walk(app.routes):
        d = r.dependant
        fields = []
        for kind, params in (("header", d.header_params), ("query", d.query_params), ("path", d.path_params)):
            for p in params:
                name = getattr(p, "alias", None) or p.name
                if kind == "header":
                    name = name.lower()
                    if name.startswith("x-mlflow-") or _SHAPED.search(name.replace("-", "_")):
                        fields.append(name)
                elif _SHAPED.search(name):
                    fields.append(name)
        for p in d.body_params:
            model_fields(getattr(p, "type_", None) or p.field_info.annotation, "", 0, fields)
        for field in fields:
            rows.append({"rpc": r.endpoint.__name__, "message": "fastapi:" + r.path, "field": field})
    return rows


def main() -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = _fastapi_rows()
    except Exception:
        print("error: cannot walk the MLflow FastAPI routes", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return 1
    try:
        for service in _services():
            for method in service.methods:
                fields = []
                _fields(method.input_type, "", 0, frozenset({method.input_type.full_name}), fields)
                for field in fields:
                    rows.append({"rpc": method.input_type.name, "message": method.input_type.full_name, "field": field})
    except Exception:
        print("error: cannot walk the MLflow protobuf services", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return 1
    rows.sort(key=lambda r: (r["rpc"], r["field"]))
    json.dump(rows, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
