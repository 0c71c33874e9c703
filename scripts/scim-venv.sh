#!/usr/bin/env bash
# A Python venv with scim2-client (python-scim's SCIM 2.0 client, a real client nobody here wrote)
# for test/integration/scim-python-client.test.ts. Idempotent; prints the venv's python.
#   bash scripts/scim-venv.sh           create/update, print the python path
#   bash scripts/scim-venv.sh --check   print the python path if ready, exit 1 otherwise
set -euo pipefail
VENV="${SCIM_VENV:-$HOME/.cache/mlflow-oidc-gateway/scim-venv}"
PY="$VENV/bin/python"
if [[ "${1:-}" == "--check" ]]; then
  [[ -x "$PY" ]] && "$PY" -c 'import scim2_client.engines.httpx2' 2>/dev/null && { echo "$PY"; exit 0; }
  exit 1
fi
if [[ ! -x "$PY" ]]; then
  python3 -m venv "$VENV"
fi
"$PY" -m pip install --quiet --disable-pip-version-check 'scim2-client>=0.13,<1' httpx2 >&2
"$PY" -c 'import scim2_client.engines.httpx2' >&2
echo "$PY"
