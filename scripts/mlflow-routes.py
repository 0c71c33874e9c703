#!/usr/bin/env python3
"""Print every HTTP route the installed MLflow tracking server serves, as JSON.

Run with the pinned MLflow venv's interpreter (see scripts/mlflow-venv.sh), or any tested
version's (scripts/mlflow-venvs.sh; Flask-only servers before MLflow 3.x included):

    "$(bash scripts/mlflow-venv.sh)/bin/python" scripts/mlflow-routes.py

Output: a JSON array of {"method", "path", "source": "flask"|"fastapi", "endpoint"} sorted by path
then method. Paths use the gateway's template syntax: `<x>` -> `{x}`, `<path:x>` -> `{x:path}`
(FastAPI `{x:path}` is already in that form). HEAD and OPTIONS are omitted (the gateway treats HEAD
as GET; OPTIONS preflight is handled by MLflow's security middleware for every path).

No static prefix is applied (MLFLOW_STATIC_PREFIX / _MLFLOW_STATIC_PREFIX are cleared before import),
so the paths are relative to the server root, exactly like the gateway's route table.
Any failure (import error, unexpected app shape) is printed to stderr and exits 1.

With `--match`, reads a JSON array of [method, path] pairs on stdin (paths percent-decoded, as
uvicorn hands them to the routers) and prints, for each, which route the real server dispatches
to: {"server": "fastapi"|"flask", "path": <template in the gateway's syntax>, "params": {...}} or
null when nothing matches (404/405/redirect). FastAPI routes are tried first in registration order,
then the Flask url_map, exactly like the mounted application. Used by the gateway's route
coverage test as a differential oracle for its own classifier.
"""

import json
import os
import re
import sys
import traceback
import warnings

for _var in ("_MLFLOW_STATIC_PREFIX", "MLFLOW_STATIC_PREFIX"):
    os.environ.pop(_var, None)

_IGNORED_METHODS = {"HEAD", "OPTIONS"}
_FLASK_PARAM = re.compile(r"<(?:(?P<conv>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")


def _flask_path(rule: str) -> str:
    def repl(m: "re.Match[str]") -> str:
        conv = m.group("conv")
        name = m.group("name")
        if conv == "path":
            return "{" + name + ":path}"
        if conv in (None, "string", "default"):
            return "{" + name + "}"
        # int/float/uuid/any converters: keep the converter visible so the table must decide.
        return "{" + name + ":" + conv + "}"

    return _FLASK_PARAM.sub(repl, rule)


def _flask_routes(flask_app):
    out = []
    for rule in flask_app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - _IGNORED_METHODS):
            out.append(
                {
                    "method": method,
                    "path": _flask_path(rule.rule),
                    "source": "flask",
                    "endpoint": rule.endpoint,
                }
            )
    return out


def _fastapi_routes(app):
    from starlette.routing import Mount, Route, Router

    try:
        from starlette.routing import WebSocketRoute
    except ImportError:  # pragma: no cover
        WebSocketRoute = ()  # type: ignore[assignment]

    out = []

    def walk(routes, prefix):
        for r in routes:
            if isinstance(r, Mount):
                # The Flask app is mounted at "/" through the WSGI bridge: its routes come from url_map.
                inner = getattr(r, "routes", None)
                if r.path in ("", "/") and not inner:
                    continue
                sub = getattr(r, "app", None)
                if inner:
                    walk(inner, prefix + r.path)
                elif isinstance(sub, Router):
                    walk(sub.routes, prefix + r.path)
                else:
                    print(f"warning: skipping opaque mount {prefix + r.path!r}", file=sys.stderr)
                continue
            included = getattr(r, "original_router", None)
            include_context = getattr(r, "include_context", None)
            if included is not None and include_context is not None:
                # FastAPI >= 0.13x keeps include_router() results as _IncludedRouter branches: the
                # effective path is the include prefix + the original route path (nested includes
                # combine prefixes, which the recursion reproduces).
                walk(list(included.routes) + list(getattr(included, "_low_priority_routes", [])),
                     prefix + (getattr(include_context, "prefix", "") or ""))
                continue
            if WebSocketRoute and isinstance(r, WebSocketRoute):
                out.append({"method": "WEBSOCKET", "path": prefix + r.path, "source": "fastapi", "endpoint": r.name})
                continue
            if isinstance(r, Route):
                methods = getattr(r, "methods", None) or {"GET"}
                endpoint = getattr(r.endpoint, "__module__", "") + "." + getattr(r.endpoint, "__name__", r.name)
                for method in sorted(set(methods) - _IGNORED_METHODS):
                    out.append({"method": method, "path": prefix + r.path, "source": "fastapi", "endpoint": endpoint})
                continue
            print(f"warning: unknown route type {type(r).__name__} at {getattr(r, 'path', '?')!r}", file=sys.stderr)

    walk(app.routes, "")
    return out


def _fastapi_match(app, method, path):
    from starlette.routing import Match, Mount

    scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": [],
             "query_string": b"", "app": app}
    for r in app.routes:
        if isinstance(r, Mount):
            continue  # the Flask app (catch-all): handled by _flask_match
        matcher = getattr(r, "_match", None)
        if matcher is not None:  # FastAPI _IncludedRouter
            match, child, _route, ctx = matcher(scope)
            if match == Match.FULL:
                template = getattr(ctx, "path_format", None) if ctx is not None else None
                return {"server": "fastapi", "path": template, "params": _str_params(child.get("path_params", {}))}
            continue
        match, child = r.matches(scope)
        if match == Match.FULL:
            return {"server": "fastapi", "path": getattr(r, "path_format", None),
                    "params": _str_params(child.get("path_params", {}))}
    return None


def _str_params(params):
    return {k: str(v) for k, v in params.items()}


def _flask_match(flask_app, method, path):
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RequestRedirect

    adapter = flask_app.url_map.bind("localhost")
    try:
        rule, args = adapter.match(path, method, return_rule=True)
    except (HTTPException, RequestRedirect):
        return None
    return {"server": "flask", "path": _flask_path(rule.rule), "params": _str_params(args)}


def _match_mode(flask_app, fastapi_app) -> int:
    probes = json.load(sys.stdin)
    out = []
    for method, path in probes:
        theirs = _fastapi_match(fastapi_app, method, path) if fastapi_app is not None else None
        out.append(theirs or _flask_match(flask_app, method, path))
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


def _fastapi_app():
    """The FastAPI application in front of Flask, or None on a Flask-only server.

    MLflow serves its tracking API from Flask alone before 3.x grew mlflow.server.fastapi_app (not in
    2.x nor 3.0.1): then every route comes from the Flask url_map and dispatch is werkzeug's alone.
    """
    import importlib.util

    if importlib.util.find_spec("mlflow.server.fastapi_app") is None:
        return None
    from mlflow.server.fastapi_app import app

    return app


def main() -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. StarletteDeprecationWarning for the WSGI bridge
            from mlflow.server import app as flask_app
            fastapi_app = _fastapi_app()
    except Exception:
        print("error: cannot import the MLflow server (is this the MLflow venv's python?)", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return 1
    if "--match" in sys.argv[1:]:
        try:
            return _match_mode(flask_app, fastapi_app)
        except Exception:
            print("error: cannot match probe paths", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            return 1
    try:
        routes = _flask_routes(flask_app) + (_fastapi_routes(fastapi_app) if fastapi_app is not None else [])
    except Exception:
        print("error: cannot enumerate the MLflow routes", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return 1
    if not routes:
        print("error: no routes found", file=sys.stderr)
        return 1
    routes.sort(key=lambda r: (r["path"], r["method"], r["source"]))
    json.dump(routes, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
