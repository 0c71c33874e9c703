#!/usr/bin/env bash
# Creates (once) the Python venv that holds the pinned MLflow, and prints its path on stdout.
# The venv lives outside the clone, keyed by MLflow version, so repeated runs and fresh clones reuse it.
# Override the location with MLFLOW_VENV=/path.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
version=$(tr -d '[:space:]' < "$here/mlflow-version.txt")
venv=${MLFLOW_VENV:-"${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-oidc-gateway/mlflow-$version"}
# PostgreSQL driver for MLflow's backend store: the load soak runs MLflow on PostgreSQL
# (`npm run bench:load -- --mlflow-store=postgres`), where SQLite's write lock would answer 5xx.
psycopg2='psycopg2-binary>=2.9.9,<3'
if [ -x "$venv/bin/mlflow" ] && [ -f "$venv/.complete" ]; then
  if [ ! -f "$venv/.psycopg2" ]; then # a venv made before the driver was part of it
    echo "[mlflow-venv] adding $psycopg2 to $venv…" >&2
    "$venv/bin/pip" install --disable-pip-version-check --progress-bar off -q "$psycopg2" >&2
    touch "$venv/.psycopg2"
  fi
  echo "$venv"; exit 0
fi
echo "[mlflow-venv] installing mlflow==$version into $venv (first run only, takes a few minutes)…" >&2
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check --progress-bar off -q --upgrade pip >&2
"$venv/bin/pip" install --disable-pip-version-check --progress-bar off "mlflow==$version" "$psycopg2" >&2
touch "$venv/.psycopg2"
touch "$venv/.complete"
echo "[mlflow-venv] ready: $venv" >&2
echo "$venv"
