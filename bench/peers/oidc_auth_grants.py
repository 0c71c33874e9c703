"""Writes mlflow-oidc-auth user grants into its permission database through the plugin's own store.

Run with the peers' venv python, with the same OIDC_USERS_DB_URI (and other settings) as the
server, after the user exists (provisioned by its first bearer call):
    python oidc_auth_grants.py < grants.json
where grants.json is [{"username": ..., "experiment_id": ...|"model": ..., "permission": ...}, ...].
"""
import json
import sys

from mlflow_oidc_auth.store import store


def main() -> None:
    grants = json.load(sys.stdin)
    for g in grants:
        if "experiment_id" in g:
            store.create_experiment_permission(str(g["experiment_id"]), g["username"], g["permission"])
        else:
            store.create_registered_model_permission(g["model"], g["username"], g["permission"])
    print(json.dumps({"granted": len(grants)}))


if __name__ == "__main__":
    main()
