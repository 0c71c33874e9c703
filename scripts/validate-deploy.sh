#!/usr/bin/env bash
# Validates the deploy artifacts with whatever validators this machine has, without a Docker engine or a
# Kubernetes cluster. Each check prints "ok", "FAIL" or "skipped (why)"; the exit code is 1 if any check failed.
#
#   scripts/validate-deploy.sh [dockerfile|compose|helm ...]    # default: all three
#
# Validators and where they come from (none is needed by the gateway itself):
#   dockerfile  dockerfile-utils (devDependency: the Dockerfile parser/linter of the VS Code Docker tooling)
#   compose     `docker compose config` (the compose CLI plugin, or a docker-compose binary; no engine needed)
#   helm        helm (v3) lint + template, then the rendered objects against Kubernetes' JSON schemas with
#               kubernetes-validate (PyPI; ships the schemas, works offline) and/or kubeconform (needs
#               KUBECONFORM_SCHEMA_LOCATION offline). Both binaries are looked up on PATH and in ~/go/bin:
#                 go install helm.sh/helm/v3/cmd/helm@v3.22.0
#                 go install github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0
#               and the compose CLI (its go.mod forbids `go install`; build it inside the module):
#                 go mod download github.com/docker/compose/v2@v2.40.3 && cd "$(go env GOMODCACHE)/github.com/docker/compose/v2@v2.40.3" \
#                   && go build -trimpath -o ~/go/bin/docker-compose ./cmd
#                 python3 -m venv ~/.cache/mlflow-oidc-gateway/kubernetes-validate &&
#                   ~/.cache/mlflow-oidc-gateway/kubernetes-validate/bin/pip install kubernetes-validate==1.37.0
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KUBE_VERSION=${KUBE_VERSION:-1.33.0}
CHART=deploy/helm/mlflow-oidc-gateway
failed=0

say() { printf '[validate-deploy] %s\n' "$*"; }
ok() { say "ok      $*"; }
fail() { say "FAIL    $*"; failed=1; }
skip() { say "skipped $*"; }
find_tool() { # name, extra candidate paths…
  local name=$1; shift
  command -v "$name" 2>/dev/null && return 0
  for c in "$@" "$HOME/go/bin/$name"; do [ -x "$c" ] && { echo "$c"; return 0; }; done
  return 1
}

check_dockerfile() {
  local lint=node_modules/.bin/dockerfile-utils
  if [ ! -x "$lint" ]; then skip "Dockerfile lint (dockerfile-utils not installed: npm install)"; return; fi
  for f in Dockerfile deploy/compose/mlflow/Dockerfile; do
    if out=$("$lint" lint "$f" 2>&1) && [ -z "$out" ]; then ok "dockerfile-utils lint $f"; else fail "dockerfile-utils lint $f"; printf '%s\n' "$out"; fi
  done
  # What a linter cannot see: the runtime stage must stay non-root and keep its health check.
  grep -q '^USER 1000:1000' Dockerfile && grep -q '^HEALTHCHECK ' Dockerfile && grep -q '^EXPOSE 8080' Dockerfile \
    && ok "Dockerfile runtime stage: USER 1000:1000, HEALTHCHECK, EXPOSE 8080" || fail "Dockerfile runtime stage lost USER/HEALTHCHECK/EXPOSE"
}

check_compose() {
  local compose=()
  if docker compose version >/dev/null 2>&1; then compose=(docker compose)
  elif dc=$(find_tool docker-compose); then compose=("$dc")
  else skip "docker compose config (no compose CLI: neither the docker compose plugin nor docker-compose is installed)"; return; fi
  if out=$("${compose[@]}" --project-directory deploy/compose --env-file deploy/compose/.env.example -f deploy/compose/docker-compose.yml config --quiet 2>&1); then
    ok "${compose[*]} config (deploy/compose, .env.example)"
  else fail "${compose[*]} config"; printf '%s\n' "$out"; fi
  if out=$("${compose[@]}" --project-directory deploy/compose --env-file deploy/compose/.env.example -f deploy/compose/docker-compose.yml --profile redis config --services 2>&1) && grep -qx redis <<<"$out"; then
    ok "${compose[*]} config --profile redis has the redis service"
  else fail "${compose[*]} --profile redis"; printf '%s\n' "$out"; fi
}

check_helm() {
  local helm kv kc tmp
  if ! helm=$(find_tool helm); then skip "helm lint/template (helm not installed: go install helm.sh/helm/v3/cmd/helm@v3.22.0)"; return; fi
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  local -A sets=(
    [default]="-f $CHART/ci/default-values.yaml"
    [ha]="-f $CHART/ci/ha-values.yaml"
    [autoscaling]="-f $CHART/ci/ha-values.yaml --set autoscaling.enabled=true"
  )
  for name in default ha autoscaling; do
    # shellcheck disable=SC2086
    if out=$("$helm" lint "$CHART" --strict --kube-version "$KUBE_VERSION" ${sets[$name]} 2>&1); then ok "helm lint --strict ($name values)"; else fail "helm lint ($name values)"; printf '%s\n' "$out"; fi
    # shellcheck disable=SC2086
    if "$helm" template gw "$CHART" --namespace mlflow --kube-version "$KUBE_VERSION" ${sets[$name]} >"$tmp/$name.yaml" 2>"$tmp/$name.err"; then
      ok "helm template ($name values): $(grep -c '^kind:' "$tmp/$name.yaml") objects"
    else fail "helm template ($name values)"; cat "$tmp/$name.err"; fi
  done
  if "$helm" template gw "$CHART" --kube-version "$KUBE_VERSION" >/dev/null 2>"$tmp/nosecret.err" || ! grep -q 'secrets.existingSecret is required' "$tmp/nosecret.err"; then
    fail "helm template without secrets.existingSecret must refuse"
  else ok "helm template refuses to render without secrets.existingSecret"; fi
  # values.schema.json: a misspelt value or a URL without a scheme is refused, not silently ignored.
  if "$helm" template gw "$CHART" --kube-version "$KUBE_VERSION" -f "$CHART/ci/ha-values.yaml" --set replicas=3 >/dev/null 2>"$tmp/typo.err" \
    || ! grep -q "additional properties 'replicas' not allowed" "$tmp/typo.err"; then fail "values.schema.json must refuse an unknown value (replicas)"
  else ok "values.schema.json refuses an unknown value (replicas)"; fi

  if kv=$(find_tool kubernetes-validate "$HOME/.cache/mlflow-oidc-gateway/kubernetes-validate/bin/kubernetes-validate"); then
    for name in default ha autoscaling; do
      # Exit 0 with a warning for the ServiceMonitor, a CRD whose schema it does not ship.
      if out=$("$kv" -k "$KUBE_VERSION" --strict --quiet "$tmp/$name.yaml" 2>&1); then ok "kubernetes-validate --strict $KUBE_VERSION ($name values)${out:+ — $(grep -c WARN <<<"$out") warning(s): $(grep -o 'kind [A-Za-z]*' <<<"$out" | sort -u | tr '\n' ' ')}"
      else fail "kubernetes-validate ($name values)"; printf '%s\n' "$out"; fi
    done
  else skip "Kubernetes schema validation with kubernetes-validate (not installed; see the header of this script)"; fi

  if kc=$(find_tool kubeconform); then
    if [ -n "${KUBECONFORM_SCHEMA_LOCATION:-}" ]; then
      for name in default ha autoscaling; do
        if out=$("$kc" -strict -summary -kubernetes-version "$KUBE_VERSION" -schema-location "$KUBECONFORM_SCHEMA_LOCATION" -ignore-missing-schemas "$tmp/$name.yaml" 2>&1); then ok "kubeconform ($name values): $out"; else fail "kubeconform ($name values)"; printf '%s\n' "$out"; fi
      done
    else skip "kubeconform (installed, but its schemas are downloaded from GitHub; set KUBECONFORM_SCHEMA_LOCATION to a local copy)"; fi
  else skip "kubeconform (not installed)"; fi
}

sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(dockerfile compose helm)
for s in "${sections[@]}"; do
  case "$s" in
    dockerfile) check_dockerfile ;;
    compose) check_compose ;;
    helm) check_helm ;;
    *) say "unknown section $s (dockerfile, compose, helm)"; exit 2 ;;
  esac
done
cd "$ROOT" || true
exit $failed
