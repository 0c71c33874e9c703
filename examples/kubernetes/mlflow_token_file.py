"""Keep MLFLOW_TRACKING_TOKEN equal to a token file that something else renews.

The MLflow client reads MLFLOW_TRACKING_TOKEN from the environment on every request, and only from
the environment; a Kubernetes projected service-account token (or any short-lived workload token
kept in a file) is renewed in its file. Import this module before using mlflow:

    import mlflow_token_file  # noqa: F401  (copies the token now, then every minute)
    import mlflow

MLFLOW_TOKEN_FILE     the token file (default /var/run/secrets/mlflow/token)
MLFLOW_TOKEN_REFRESH  seconds between re-reads (default 60; the kubelet renews at 80% of the lifetime)
"""
import os
import threading

TOKEN_FILE = os.environ.get("MLFLOW_TOKEN_FILE", "/var/run/secrets/mlflow/token")
INTERVAL = float(os.environ.get("MLFLOW_TOKEN_REFRESH", "60"))


def refresh() -> None:
    """Copy the file's current token into the environment (also worth calling after a 401)."""
    with open(TOKEN_FILE, encoding="utf-8") as f:
        os.environ["MLFLOW_TRACKING_TOKEN"] = f.read().strip()


def _loop() -> None:
    while not threading.Event().wait(INTERVAL):
        try:
            refresh()
        except OSError:
            pass  # keep the last token; the next read may succeed


refresh()
threading.Thread(target=_loop, name="mlflow-token-refresh", daemon=True).start()
