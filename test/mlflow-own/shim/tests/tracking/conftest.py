import pytest


@pytest.fixture
def reset_active_experiment():
    yield
    import mlflow

    mlflow.tracking.fluent._active_experiment_id = None
