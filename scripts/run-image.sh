#!/usr/bin/env bash
# Runs a command of a buildah-built image the way a hardened container runtime would, without a Docker
# engine: the image's root file system mounted READ-ONLY, a fresh tmpfs on /data and /tmp, the image's
# environment, working directory and user (uid 1000), the host's network (so 127.0.0.1 is the test's).
#
#   bash scripts/run-image.sh IMAGE [--env NAME=VALUE]... [-- COMMAND ARGS...]
#
# Without a COMMAND, the image's ENTRYPOINT + CMD run. `--healthcheck` runs the image's HEALTHCHECK
# command instead and exits with its status. Needs root (mount namespaces), as buildah itself here.
set -euo pipefail

image=${1:?usage: run-image.sh IMAGE [--env NAME=VALUE]... [--healthcheck] [-- COMMAND...]}
shift
extra_env=()
healthcheck=0
cmd=()
while [ $# -gt 0 ]; do
  case "$1" in
    --env) extra_env+=("$2"); shift 2 ;;
    --healthcheck) healthcheck=1; shift ;;
    --) shift; cmd=("$@"); break ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

inspect() { buildah inspect --type image --format "$1" "$image"; }
mapfile -t image_env < <(inspect '{{range .Docker.Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
user=$(inspect '{{.Docker.Config.User}}')
workdir=$(inspect '{{.Docker.Config.WorkingDir}}')
if [ "$healthcheck" = 1 ]; then
  mapfile -t cmd < <(inspect '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}' | sed '/^$/d')
  [ "${cmd[0]:-}" = CMD ] || { echo "the image has no exec-form HEALTHCHECK (got: ${cmd[*]:-none})" >&2; exit 2; }
  cmd=("${cmd[@]:1}")
elif [ ${#cmd[@]} -eq 0 ]; then
  mapfile -t cmd < <(inspect '{{range .Docker.Config.Entrypoint}}{{println .}}{{end}}{{range .Docker.Config.Cmd}}{{println .}}{{end}}' | sed '/^$/d')
fi

ctr=$(buildah from --quiet --pull-never "$image")
cleanup() { buildah rm "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT
rootfs=$(buildah mount "$ctr")

# A private mount namespace: every mount below disappears with the process.
export RUN_ROOTFS=$rootfs RUN_USER=${user:-0:0} RUN_WORKDIR=${workdir:-/}
unshare --mount --propagation private -- bash -euo pipefail -c '
  root=$(mktemp -d)
  mount --bind "$RUN_ROOTFS" "$root"
  mount -o remount,bind,ro "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  [ -d "$root/data" ] && mount -t tmpfs -o "uid=${RUN_USER%%:*},gid=${RUN_USER##*:},mode=0755" tmpfs "$root/data"
  # /etc/resolv.conf and /etc/hosts as a runtime provides them.
  for f in resolv.conf hosts; do [ -e "$root/etc/$f" ] && mount --bind "/etc/$f" "$root/etc/$f"; done
  cd "$root"
  exec chroot --userspec="$RUN_USER" "$root" /usr/bin/env -C "$RUN_WORKDIR" -i "$@"
' run-image "${image_env[@]}" "${extra_env[@]}" "${cmd[@]}" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
set +e
wait "$child"; status=$?
# A signal interrupted the first wait: wait for the child's own exit status.
while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
exit "$status"
