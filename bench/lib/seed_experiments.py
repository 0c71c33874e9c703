"""Seeds experiments straight into an MLflow SQLite backend store, in batches of one transaction each.

Run with the MLflow venv's python while the servers using that store are idle:
    python seed_experiments.py sqlite:///path/mlflow.db COUNT PREFIX [BATCH]
Prints one JSON object: {"ids": [...], "seconds": float}.

It also creates the store when it does not exist yet (MLflow's own migrations) and switches it to
WAL journaling, so that readers never wait for a writer while several servers share it.

It goes through MLflow's own SqlAlchemyStore (its session, models and artifact-location rule), so
the rows are exactly what experiments/create writes; only the commit is per batch, not per row.
"""
import json
import sqlite3
import sys
import time

from mlflow.entities.lifecycle_stage import LifecycleStage
from mlflow.store.tracking.dbmodels.models import SqlExperiment
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow.utils.time import get_current_time_millis


def main() -> None:
    db_uri, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 500
    if db_uri.startswith("sqlite:///"):
        sqlite3.connect(db_uri[len("sqlite:///"):]).execute("pragma journal_mode=wal").close()
    started = time.perf_counter()
    store = SqlAlchemyStore(db_uri, "mlflow-artifacts:/")
    with_workspace = getattr(store, "_with_workspace_field", lambda e: e)
    ids = []
    for start in range(0, count, batch):
        with store.ManagedSessionMaker() as session:
            now = get_current_time_millis()
            rows = [
                with_workspace(
                    SqlExperiment(
                        name=f"{prefix}-{i:05d}",
                        lifecycle_stage=LifecycleStage.ACTIVE,
                        creation_time=now,
                        last_update_time=now,
                    )
                )
                for i in range(start, min(start + batch, count))
            ]
            session.add_all(rows)
            session.flush()
            for row in rows:
                row.artifact_location = store._get_artifact_location(row.experiment_id)
                ids.append(str(row.experiment_id))
            session.flush()
    print(json.dumps({"ids": ids, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
