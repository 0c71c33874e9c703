"""Stand-in for the parts of MLflow's tests/conftest.py the REST integration tests rely on
(written for this harness; the real conftest pulls in MLflow's whole test tree)."""
import os

import pytest


@pytest.fixture
def db_uri(tmp_path):
    """A fresh SQLite tracking database for the test."""
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


@pytest.fixture(autouse=True)
def _isolate_mlflow_state(tmp_path, monkeypatch):
    import mlflow

    monkeypatch.chdir(tmp_path)
    yield
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)

