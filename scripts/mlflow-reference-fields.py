#!/usr/bin/env python3
"""Print every reference-shaped field of the installed MLflow's request messages, as JSON.

Run with the pinned MLflow venv's interpreter (see scripts/mlflow-venv.sh):

    "$(bash scripts/mlflow-venv.sh)/bin/python" scripts/mlflow-reference-fields.py

Walks every protobuf service in mlflow.protos (tracking, model registry, artifacts, webhooks,
datasets, jobs, gateway…): for each RPC, its request message and the messages nested in it
(depth-limited, cycles cut), and prints the fields whose name says they name another resource:
`*_id`, `*_ids`, `*_uri`, `*_uris`, `*_name`, `*_names`, `source`, `artifact_location`, `name`
(nested names), `location(s)`. Output: a JSON array of {"rpc", "message", "field"} sorted by rpc
then field; `field` is a dotted path in the gateway's syntax (`a[].b` iterates a repeated message).
Used by test/mlflow-reference-coverage.test.ts, which fails unless each field is classified in
the route table (primary id, reference with its level) or in src/mlflow/reference-fields.ts (inert,
with a reason).
"""

import importlib
import json
import pkgutil
import re
import sys
import traceback

_SHAPED = re.compile(r"(_id|_ids|_uri|_uris|_name|_names)$|^(source|artifact_location|name|location|locations|run_link)$")
_MAX_DEPTH = 5


def _services():
    import mlflow.protos as protos

    seen = set()
    for mod in pkgutil.walk_packages(protos.__path__, protos.__name__ + "."):
        if not mod.name.endswith("_pb2"):
            continue
        try:
            m = importlib.import_module(mod.name)
        except Exception:
            continue
        desc = getattr(m, "DESCRIPTOR", None)
        if desc is None:
            continue
        for service in desc.services_by_name.values():
            if service.full_name in seen:
                continue
            seen.add(service.full_name)
            yield service


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


def main() -> int:
    try:
        rows = []
        for service in _services():
            for method in service.methods:
                fields = []
                _fields(method.input_type, "", 0, frozenset({method.input_type.full_name}), fields)
                for field in fields:
                    rows.append({"rpc": method.name, "message": method.input_type.full_name, "field": field})
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
