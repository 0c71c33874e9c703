#!/usr/bin/env bash
# Keycloak for the interop tests (test/interop/keycloak.test.ts): the server distribution from Maven
# Central (org.keycloak:keycloak-quarkus-dist), downloaded once, checked against Maven Central's SHA-1,
# unpacked outside the clone, and its Quarkus build done once so that each test start skips it.
#
#   scripts/keycloak.sh              download/prepare if needed; print the distribution's path
#   scripts/keycloak.sh --check      print the path if already prepared, else exit 3 (never downloads)
#   scripts/keycloak.sh --java-home  print a JDK that runs this Keycloak (≥ 21), else exit 4
#
# Keycloak 26 needs Java 21 or newer; Debian bookworm's default JDK is 17, so a newer JDK is looked for:
# KEYCLOAK_JAVA_HOME, then JAVA_HOME, then /usr/lib/jvm/* (the machine's Temurin JDK), newest first.
set -euo pipefail
version=26.7.3
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-oidc-gateway"
dist="$cache/keycloak-$version"
# Build options the tests start with: in-memory H2 (nothing persists).
build_opts="--db=dev-mem"
base="https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$version/keycloak-quarkus-dist-$version.tar.gz"

java_major() { # prints the major version of the java in JDK home $1, or nothing
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

find_java_home() {
  local candidates=() c m
  [ -n "${KEYCLOAK_JAVA_HOME:-}" ] && candidates+=("$KEYCLOAK_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${c%/}"); done
  for c in "${candidates[@]}"; do
    m=$(java_major "$c")
    if [ -n "$m" ] && [ "$m" -ge 21 ]; then echo "$c"; return 0; fi
  done
  return 1
}

case "${1:-}" in
  --java-home)
    find_java_home || { echo "[keycloak] no JDK ≥ 21 found (set KEYCLOAK_JAVA_HOME)" >&2; exit 4; } ;;
  --check)
    [ "$(cat "$dist/.complete" 2>/dev/null)" = "$build_opts" ] || exit 3
    echo "$dist" ;;
  "")
    if [ "$(cat "$dist/.complete" 2>/dev/null)" = "$build_opts" ]; then echo "$dist"; exit 0; fi
    if [ -f "$dist/.complete" ]; then # downloaded before, built with other options: build again
      JAVA_HOME="$(find_java_home)" "$dist/bin/kc.sh" build $build_opts >&2
      echo "$build_opts" > "$dist/.complete"; echo "$dist"; exit 0
    fi
    java_home=$(find_java_home) || { echo "[keycloak] no JDK ≥ 21 found (set KEYCLOAK_JAVA_HOME)" >&2; exit 4; }
    echo "[keycloak] downloading keycloak-quarkus-dist $version from Maven Central (first run only)…" >&2
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/keycloak-dl.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    curl -fsS --retry 3 -o "$tmp/dist.tar.gz" "$base"
    want=$(curl -fsS --retry 3 "$base.sha1" | tr -d '[:space:]')
    got=$(sha1sum "$tmp/dist.tar.gz" | cut -d' ' -f1)
    [ "$want" = "$got" ] || { echo "[keycloak] SHA-1 mismatch: want $want, got $got" >&2; exit 1; }
    tar xzf "$tmp/dist.tar.gz" -C "$tmp"
    rm -rf "$dist"
    mv "$tmp/keycloak-$version" "$dist"
    # Quarkus' build step (about a minute) runs once here, so that the tests start the optimized server.
    echo "[keycloak] build with $java_home…" >&2
    JAVA_HOME="$java_home" "$dist/bin/kc.sh" build $build_opts >&2
    echo "$build_opts" > "$dist/.complete"
    echo "[keycloak] ready: $dist" >&2
    echo "$dist" ;;
  *) echo "usage: $0 [--check|--java-home]" >&2; exit 2 ;;
esac
