#!/usr/bin/env bash
# Creates (once) the Python venv of the benchmark's peers and prints its path on stdout:
# the pinned MLflow with its basic-auth extra (`mlflow server --app-name basic-auth`) and the
# mlflow-oidc-auth plugin (`--app-name oidc-auth`). It is separate from the project's MLflow venv
# (scripts/mlflow-venv.sh) so that the gateway's tests never see the plugin, and it is keyed by both
# versions under ~/.cache/mlflow-oidc-gateway/. Override the location with PEER_VENV=/path.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
mlflow_version=$(tr -d '[:space:]' < "$here/mlflow-version.txt")
# mlflow-oidc-auth 11.0.2 requires mlflow>=3.16,<4, so it runs on the same MLflow. Its metadata says
# Python>=3.11, but it does not import on 3.11 (a dataclass field defaults to a MappingProxyType,
# hashable only from Python 3.12 on), so the peers' venv is built on Python 3.12+.
oidc_auth_version=${PEER_OIDC_AUTH_VERSION:-11.0.2}
# Both products write their auth database to PostgreSQL through SQLAlchemy's psycopg2 driver
# (database_uri / OIDC_USERS_DB_URI = postgresql://…): the importers' PostgreSQL tests need it.
psycopg2_spec="psycopg2-binary==2.9.13"
find_python() {
  local candidates=("${PEER_PYTHON:-}" python3.13 python3.12 python3)
  if command -v pyenv >/dev/null 2>&1; then
    local root; root=$(pyenv root)
    for v in "$root"/versions/3.1[2-9]*; do [ -x "$v/bin/python3" ] && candidates+=("$v/bin/python3"); done
  fi
  for c in "${candidates[@]}"; do
    [ -n "$c" ] || continue
    if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      "$c" -c 'import sys; print(sys.executable)'; return 0
    fi
  done
  return 1
}
python=$(find_python) || { echo "[peer-venv] mlflow-oidc-auth $oidc_auth_version needs Python >= 3.12; none found (set PEER_PYTHON)" >&2; exit 3; }
pyver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
venv=${PEER_VENV:-"${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-oidc-gateway/peers-mlflow-$mlflow_version-oidc-auth-$oidc_auth_version-py$pyver"}
if [ -x "$venv/bin/mlflow" ] && [ -f "$venv/.complete" ]; then
  # A venv made before the driver was added gets it once, in place.
  if ! "$venv/bin/python" -c 'import psycopg2' >/dev/null 2>&1; then
    echo "[peer-venv] adding $psycopg2_spec to $venv…" >&2
    "$venv/bin/pip" install --disable-pip-version-check --progress-bar off -q "$psycopg2_spec" >&2
  fi
  echo "$venv"; exit 0
fi
echo "[peer-venv] installing mlflow[auth]==$mlflow_version and mlflow-oidc-auth==$oidc_auth_version into $venv with $python (first run only)…" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check --progress-bar off -q --upgrade pip >&2
"$venv/bin/pip" install --disable-pip-version-check --progress-bar off -q \
  "mlflow[auth]==$mlflow_version" "mlflow-oidc-auth==$oidc_auth_version" "$psycopg2_spec" >&2
installed=$("$venv/bin/python" -c 'import mlflow; print(mlflow.__version__)')
if [ "$installed" != "$mlflow_version" ]; then
  echo "[peer-venv] expected mlflow $mlflow_version, pip resolved $installed" >&2; exit 1
fi
touch "$venv/.complete"
echo "[peer-venv] ready: $venv" >&2
echo "$venv"
