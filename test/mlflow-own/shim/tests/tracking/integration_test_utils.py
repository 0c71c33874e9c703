"""Stand-in for MLflow's tests/tracking/integration_test_utils (written for this harness; used
only where the real module was not fetched): the server starters the REST tests use."""
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time

import requests

from tests.helper_functions import LOCALHOST, get_safe_port, kill_process_tree


def _await_server_up_or_die(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            if sock.connect_ex((LOCALHOST, port)) == 0:
                return
        time.sleep(0.2)
    raise Exception(f"Failed to connect on {LOCALHOST}:{port} after {timeout} seconds")


class ServerThread(threading.Thread):
    """An ASGI app (MLflow's FastAPI app) served by uvicorn on a thread; entering yields its URL."""

    def __init__(self, app, port):
        super().__init__(name="mlflow-server-thread", daemon=True)
        import uvicorn

        self.port = port
        self.url = f"http://{LOCALHOST}:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host=LOCALHOST, port=port, log_level="error"))

    def run(self):
        self.server.run()

    def __enter__(self):
        self.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError(f"server thread did not start on {self.url}")
            time.sleep(0.05)
        return self.url

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.join(timeout=30)


@contextlib.contextmanager
def _init_server(backend_uri, root_artifact_uri, extra_env=None, app="mlflow.server:app", server_type="flask"):
    """`mlflow server` as a subprocess on a free port; yields its URL."""
    import mlflow

    mlflow.set_tracking_uri(None)
    port = get_safe_port()
    cmd = [
        sys.executable, "-m", "mlflow", "server", "--host", LOCALHOST, "--port", str(port),
        "--backend-store-uri", backend_uri, "--default-artifact-root", root_artifact_uri, "--workers", "1",
    ]
    with subprocess.Popen(cmd, env={**os.environ, **(extra_env or {})}) as proc:
        try:
            _await_server_up_or_die(port)
            url = f"http://{LOCALHOST}:{port}"
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    if requests.get(f"{url}/health", timeout=2).ok:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.2)
            yield url
        finally:
            kill_process_tree(proc.pid)


def _send_rest_tracking_post_request(tracking_server_uri, api_path, json_payload, auth=None):
    return requests.post(tracking_server_uri + api_path, json=json_payload, auth=auth)
