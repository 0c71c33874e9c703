"""pytest plugin: runs MLflow's own REST integration tests with the gateway in front of MLflow.

Loaded with `-p mlflow_own_plugin` (scripts/mlflow-own-tests.sh puts this directory on PYTHONPATH).
MLFLOW_OWN_MODE=direct leaves everything alone (the baseline); admin, user and user-filtered put a
fresh gateway (gateway-daemon.ts) in front of every MLflow server the tests start, and give every
client the personal access token minted for that gateway:

* the tests' server starters are wrapped where the tests find them: `ServerThread` and
  `_init_server` of tests/tracking/integration_test_utils, and a module's own `_launch_server`
  (test_mlflow_artifacts.py), so that the URL the test receives is the gateway's;
* the token reaches MlflowClient, the fluent API and the CLI through MLFLOW_TRACKING_TOKEN, and the
  raw `requests` calls the tests make to the server URL through a wrapped `requests.Session.request`
  (an Authorization header is added only for a gateway URL and only when the request has none).

MLflow's tests are never changed and never kept in this repository.
"""
import contextlib
import functools
import json
import os
import socket
import subprocess
import sys
import threading

import pytest

MODE = os.environ.get("MLFLOW_OWN_MODE", "direct")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class _Daemon:
    """The one gateway daemon of this pytest session (a Node process speaking JSON lines)."""

    def __init__(self):
        self._proc = subprocess.Popen(
            [os.environ.get("MLFLOW_OWN_NODE", "node"), "--import", "tsx", "test/mlflow-own/gateway-daemon.ts"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "MLFLOW_OWN_MODE": MODE},
        )
        self._lock = threading.Lock()
        ready = self._read()
        if not ready.get("ready"):
            raise RuntimeError(f"gateway daemon did not start: {ready}")

    def _read(self):
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("gateway daemon exited")
        return json.loads(line)

    def call(self, **msg):
        with self._lock:
            self._proc.stdin.write(json.dumps(msg) + "\n")
            self._proc.stdin.flush()
            answer = self._read()
        if not answer.get("ok"):
            raise RuntimeError(f"gateway daemon: {answer.get('error')}")
        return answer

    def close(self):
        with contextlib.suppress(Exception):
            self._proc.stdin.close()
            self._proc.wait(timeout=30)


_daemon = None
# gateway URL → token, for every gateway running now.
_tokens = {}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gateway_in_front(mlflow_url, port=0):
    """A fresh gateway in front of `mlflow_url` (on `port`, or a free one); yields the gateway URL."""
    started = _daemon.call(op="start", upstream=mlflow_url.rstrip("/"), port=port)
    url, token = started["url"], started["token"]
    _tokens[url] = token
    previous = os.environ.get("MLFLOW_TRACKING_TOKEN")
    os.environ["MLFLOW_TRACKING_TOKEN"] = token
    try:
        yield url
    finally:
        _tokens.pop(url, None)
        if previous is None:
            os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
        else:
            os.environ["MLFLOW_TRACKING_TOKEN"] = previous
        _daemon.call(op="stop", id=started["id"])


def _token_for(url):
    for base, token in _tokens.items():
        if url == base or url.startswith(base + "/") or url.startswith(base + "?"):
            return token
    return None


def _wrap_requests():
    import requests

    original = requests.Session.request

    @functools.wraps(original)
    def request(self, method, url, *args, **kwargs):
        token = _token_for(str(url))
        if token:
            headers = dict(kwargs.get("headers") or {})
            if not any(k.lower() == "authorization" for k in headers) and "authorization" not in {
                k.lower() for k in self.headers
            }:
                headers["Authorization"] = f"Bearer {token}"
                kwargs["headers"] = headers
        return original(self, method, url, *args, **kwargs)

    requests.Session.request = request


def _wrap_server_thread(module):
    original = getattr(module, "ServerThread", None)
    if original is None or getattr(original, "_mlflow_own", False):
        return

    class ServerThread(original):
        """MLflow's ServerThread, with a gateway in front: entering yields the gateway's URL."""

        _mlflow_own = True

        def __enter__(self):
            mlflow_url = super().__enter__()
            self._mlflow_own_gateway = gateway_in_front(mlflow_url)
            return self._mlflow_own_gateway.__enter__()

        def __exit__(self, *exc):
            try:
                self._mlflow_own_gateway.__exit__(*exc)
            finally:
                return super().__exit__(*exc)

    module.ServerThread = ServerThread


def _wrap_init_server(module):
    original = getattr(module, "_init_server", None)
    if original is None or getattr(original, "_mlflow_own", False):
        return

    @contextlib.contextmanager
    def _init_server(*args, **kwargs):
        with original(*args, **kwargs) as started:
            # MLflow's _init_server yields the URL (3.x); older ones yielded (url, process).
            if isinstance(started, tuple):
                with gateway_in_front(started[0]) as url:
                    yield (url, *started[1:])
            else:
                with gateway_in_front(started) as url:
                    yield url

    _init_server._mlflow_own = True
    module._init_server = _init_server


def _wrap_launch_server(module):
    """test_mlflow_artifacts.py's `_launch_server(host, port, …)`: MLflow moves to another port and
    the gateway takes `port`, so every URL the test builds from `port` names the gateway."""
    original = getattr(module, "_launch_server", None)
    if original is None or getattr(original, "_mlflow_own", False):
        return

    @contextlib.contextmanager
    def _launch_server(host, port, *args, **kwargs):
        mlflow_port = _free_port()
        with original(host, mlflow_port, *args, **kwargs) as process:
            with gateway_in_front(f"http://{host}:{mlflow_port}", port=port):
                yield process

    _launch_server._mlflow_own = True
    module._launch_server = _launch_server


def _newer_test_file_compat():
    """The stored test file can be newer than the pinned MLflow: names it imports at module level
    that the pinned MLflow lacks are defined here (all modes alike), so that the module imports and
    only the tests using the newer feature fail, directly as through the gateway."""
    import importlib.util

    import mlflow.utils.providers as providers

    if not hasattr(providers, "_PROVIDER_BACKEND_AVAILABLE"):
        providers._PROVIDER_BACKEND_AVAILABLE = importlib.util.find_spec("litellm") is not None


def pytest_configure(config):
    global _daemon
    config.addinivalue_line("markers", "mlflow_own: run through the gateway")
    _newer_test_file_compat()
    if MODE == "direct":
        return
    if MODE not in ("admin", "user", "user-filtered"):
        raise pytest.UsageError(f"MLFLOW_OWN_MODE must be direct, admin, user or user-filtered, not {MODE}")
    _daemon = _Daemon()
    _wrap_requests()
    import tests.tracking.integration_test_utils as itu

    _wrap_server_thread(itu)
    _wrap_init_server(itu)


def pytest_unconfigure(config):
    if _daemon is not None:
        _daemon.close()


def pytest_collection_modifyitems(session, config, items):
    if MODE == "direct":
        return
    for module in {item.module for item in items if getattr(item, "module", None) is not None}:
        # Test modules bound the names at import, before or after pytest_configure's wrapping.
        import tests.tracking.integration_test_utils as itu

        if getattr(module, "ServerThread", None) is not None and not getattr(module.ServerThread, "_mlflow_own", False):
            module.ServerThread = itu.ServerThread
        if getattr(module, "_init_server", None) is not None and not getattr(module._init_server, "_mlflow_own", False):
            module._init_server = itu._init_server
        _wrap_launch_server(module)


def pytest_report_header(config):
    return f"mlflow-own-tests: mode {MODE}" + ("" if MODE == "direct" else f" (gateway from {REPO})")
