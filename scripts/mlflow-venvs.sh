#!/usr/bin/env bash
# Creates (once) one Python venv per MLflow version in scripts/mlflow-pins.txt, each with the pins that
# version needs, and prints "<version> <venv path>" per line on stdout.
#   bash scripts/mlflow-venvs.sh            every version in the pins file
#   bash scripts/mlflow-venvs.sh 2.9.2 ...  only these
# Venvs live in ~/.cache/mlflow-oidc-gateway/mlflow-<version> (XDG_CACHE_HOME respected), shared by clones.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pins="$here/scripts/mlflow-pins.txt"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-oidc-gateway"

pins_for() { # the extra requirements of one version ('' when none); fails for a version not in the file
  local line
  line=$(grep -E "^$(printf '%s' "$1" | sed 's/\./\\./g')([[:space:]]|$)" "$pins") || {
    echo "[mlflow-venvs] $1 is not in scripts/mlflow-pins.txt (add a line for it)" >&2; return 1; }
  printf '%s' "$line" | awk '{ $1=""; sub(/^ /, ""); print }'
}

build() { # version venv
  local version=$1 venv=$2 extra
  extra=$(pins_for "$version")
  if [ -x "$venv/bin/mlflow" ] && [ -f "$venv/.complete" ]; then return 0; fi
  echo "[mlflow-venvs] installing mlflow==$version ${extra:+($extra) }into $venv (first run only, takes minutes)…" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check --progress-bar off -q --upgrade pip >&2
  # shellcheck disable=SC2086 # the pins are separate words on purpose
  "$venv/bin/pip" install --disable-pip-version-check --progress-bar off "mlflow==$version" $extra >&2
  # The server must at least import and report its version, or the venv is not usable.
  "$venv/bin/python" -c 'import mlflow.server, mlflow; print(mlflow.__version__)' >&2
  touch "$venv/.complete"
  echo "[mlflow-venvs] ready: $venv" >&2
}

if [ "$#" -gt 0 ]; then versions=("$@"); else
  mapfile -t versions < <(grep -Ev '^[[:space:]]*(#|$)' "$pins" | awk '{print $1}')
fi
for version in "${versions[@]}"; do
  venv="$cache/mlflow-$version"
  build "$version" "$venv"
  echo "$version $venv"
done
