#!/usr/bin/env bash
# Makes sure the load generator is installed (Debian's wrk: C, epoll, microsecond latency histogram)
# and prints its path. Installs it with apt-get when absent (the project's machines run as root).
set -euo pipefail
if ! command -v wrk >/dev/null 2>&1; then
  echo "[bench] installing wrk (Debian package)…" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 || {
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
  }
fi
command -v wrk
