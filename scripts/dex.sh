#!/usr/bin/env bash
# Dex for the interop tests (test/interop/dex.test.ts), built once from the Go module proxy with the
# pinned module in scripts/dex-build (see its go.mod for why v2.13.0), into ~/.cache/mlflow-oidc-gateway/
# dex-<version>/ together with Dex's web templates (its login pages).
#
#   scripts/dex.sh           build if needed; print the directory (bin/dex, web/)
#   scripts/dex.sh --check   print the directory if already built, else exit 3 (never builds)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=v2.13.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-oidc-gateway"
dest="$cache/dex-$version"

case "${1:-}" in
  --check)
    [ -f "$dest/.complete" ] || exit 3
    echo "$dest"; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "[dex] the go command is needed to build Dex" >&2; exit 4; }

echo "[dex] building Dex $version from the Go module proxy (first run only, a few minutes)…" >&2
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/dex-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$here/dex-build"
# -mod=readonly: go.mod/go.sum are complete; a build never re-resolves versions.
GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath -o "$tmp/bin/dex" github.com/dexidp/dex/cmd/dex
src=$(go list -m -f '{{.Dir}}' github.com/dexidp/dex)
cp -r "$src/web" "$tmp/web"
chmod -R u+w "$tmp/web" # module cache files are read-only
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
touch "$dest/.complete"
echo "[dex] ready: $dest" >&2
echo "$dest"
