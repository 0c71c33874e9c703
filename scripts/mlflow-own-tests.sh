#!/usr/bin/env bash
# MLflow's own REST integration tests, run directly or through the gateway (issue #14).
#
#   bash scripts/mlflow-own-tests.sh <mlflow-tests-dir> [--mode direct|admin|user|user-filtered] [pytest args…]
#
# <mlflow-tests-dir> holds MLflow's `tests/` package (at least tests/tracking/test_rest_tracking.py,
# test_model_registry.py, test_mlflow_artifacts.py), fetched outside this repository: MLflow's tests
# are never committed here. Support modules missing there (tests/helper_functions.py,
# tests/tracking/integration_test_utils.py, tests/integration/utils.py, tests/conftest.py) are
# filled in from test/mlflow-own/shim/ — never over a file that exists.
# The test venv (~/.cache/mlflow-oidc-gateway/mlflow-own-tests-<version>) sees the pinned MLflow venv's
# packages through a .pth file and adds only pytest, so the pinned venv is never changed.
# Without pytest args the three files are run; the JUnit report goes to
# <mlflow-tests-dir>/results-<mode>.xml. See test/mlflow-own/README.md.
set -euo pipefail

usage() { echo "usage: $0 <mlflow-tests-dir> [--mode direct|admin|user|user-filtered] [pytest args…]" >&2; exit 2; }
[ $# -ge 1 ] || usage
DIR=$(cd "$1" && pwd); shift
MODE=admin
if [ "${1:-}" = "--mode" ]; then MODE=${2:-}; shift 2 || usage; fi
case "$MODE" in direct|admin|user|user-filtered) ;; *) usage ;; esac
[ -d "$DIR/tests/tracking" ] || { echo "$DIR/tests/tracking not found" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PINNED=$(bash "$ROOT/scripts/mlflow-venv.sh")
VERSION=$("$PINNED/bin/python" -c 'import mlflow; print(mlflow.__version__)')
VENV="$HOME/.cache/mlflow-oidc-gateway/mlflow-own-tests-$VERSION"
if ! "$VENV/bin/python" -c "import pytest, pytest_asyncio" 2>/dev/null; then
  [ -x "$VENV/bin/python" ] || "$PINNED/bin/python" -m venv "$VENV"
  purelib() { "$1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
  purelib "$PINNED" > "$(purelib "$VENV")/pinned-mlflow.pth"
  "$VENV/bin/pip" install -q pytest pytest-asyncio
fi

# Support modules the fetched tree lacks (never overwriting MLflow's own).
SHIM="$ROOT/test/mlflow-own/shim"
(cd "$SHIM" && find tests -type f -name '*.py') | while read -r f; do
  [ -e "$DIR/$f" ] || { mkdir -p "$DIR/$(dirname "$f")"; cp "$SHIM/$f" "$DIR/$f"; }
done

if [ $# -eq 0 ]; then
  set -- tests/tracking/test_rest_tracking.py tests/tracking/test_model_registry.py tests/tracking/test_mlflow_artifacts.py
fi
cd "$DIR"
# MLflow 3.x refuses the file store unless allowed (its own test conftest allows it too).
export MLFLOW_ALLOW_FILE_STORE=true MLFLOW_OWN_MODE="$MODE" PYTHONPATH="$ROOT/test/mlflow-own:$DIR" MLFLOW_ENABLE_TELEMETRY=false DO_NOT_TRACK=true
export PATH="$VENV/bin:$PINNED/bin:$PATH"
exec nice -n 19 "$VENV/bin/python" -m pytest -p mlflow_own_plugin -p no:cacheprovider --rootdir "$DIR" \
  --junitxml "$DIR/results-$MODE.xml" -o junit_family=xunit2 -q -rfE "$@"
