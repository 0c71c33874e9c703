#!/usr/bin/env bash
# Creates (once) the Python venv that holds the pinned MLflow, and prints its path on stdout.
# The venv lives outside the clone, keyed by MLflow version, so repeated runs and fresh clones reuse it.
# Override the location with MLFLOW_VENV=/path.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
version=$(tr -d '[:space:]' < "$here/mlflow-version.txt")
venv=${MLFLOW_VENV:-"${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-oidc-gateway/mlflow-$version"}
if [ -x "$venv/bin/mlflow" ] && [ -f "$venv/.complete" ]; then
  echo "$venv"; exit 0
fi
echo "[mlflow-venv] installing mlflow==$version into $venv (first run only, takes a few minutes)…" >&2
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check --progress-bar off -q --upgrade pip >&2
"$venv/bin/pip" install --disable-pip-version-check --progress-bar off "mlflow==$version" >&2
touch "$venv/.complete"
echo "[mlflow-venv] ready: $venv" >&2
echo "$venv"
