#!/usr/bin/env bash
# Runs the image tarball the build made (bridge-app/target/bridge-image.tar, built with -Pimage) on
# this machine without a container runtime: its layers are unpacked into a directory, and its
# entrypoint runs there under chroot, as the image's user, with the image's environment and working
# directory. With no DB_HOST the daemon starts its embedded PostgreSQL (data in the container's
# /tmp), so nothing else is needed. Passes when /health/live and /health/ready answer 200 on the ops
# port, /metrics has Bridge's metrics, the process is not root, and SIGTERM stops it with exit code 0.
#
# Usage (as root): deploy/image/smoke.sh [IMAGE.tar]
# Not a container: no namespaces of its own besides mounts, no resource limits, the host's network.
set -euo pipefail

image=${1:-bridge-app/target/bridge-image.tar}
[ "$(id -u)" = 0 ] || { echo "smoke.sh needs root (chroot, mount)" >&2; exit 2; }
[ -f "$image" ] || { echo "no image tarball at $image" >&2; exit 2; }

work=$(mktemp -d)
root="$work/rootfs"
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  umount -l "$root/proc" "$root/dev" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

tar -C "$work" -xf "$image" manifest.json
config=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Config"])' "$work/manifest.json")
tar -C "$work" -xf "$image" "$config"
mkdir -p "$root"
# Layers in order, lowest first; neither Jib's layers nor the base of debian-jre-base.sh delete files.
for layer in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$work/manifest.json"); do
  tar -C "$work" -xf "$image" "$layer"
  tar -C "$root" -xf "$work/$layer"
  rm -f "$work/$layer"
done

# The image's user, working directory, environment and command, as a runtime would take them.
read_config() { python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["config"]; print(eval(sys.argv[2]))' "$work/$config" "$1"; }
user=$(read_config 'c["User"]')
dir=$(read_config 'c.get("WorkingDir") or "/"')
mapfile -t env < <(read_config '"\n".join(c.get("Env", []))')
mapfile -t command < <(read_config '"\n".join(c.get("Entrypoint", []) + c.get("Cmd", []))')
port=$(read_config 'next(iter(c["ExposedPorts"])).split("/")[0]')
echo "image: user $user, working directory $dir, ops port $port, command: ${command[*]}"

# What a container runtime provides: /proc, /dev, a writable /tmp, and the host names.
cp /etc/hosts /etc/resolv.conf "$root/etc/"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
chmod 1777 "$root/tmp"
log="$work/bridge.log"
chroot --userspec="$user" "$root" /usr/bin/env -i "${env[@]}" BRIDGE_POSTGRES_EMBEDDED_DATA__DIR=/tmp/bridge-data \
  /bin/sh -c 'cd "$0" && exec "$@"' "$dir" "${command[@]}" >"$log" 2>&1 &
pid=$!

fail() { echo "FAILED: $*" >&2; echo "--- the daemon's output:" >&2; cat "$log" >&2; exit 1; }
status() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$1" || true; }
for _ in $(seq 1 120); do
  [ "$(status /health/ready)" = 200 ] && break
  kill -0 "$pid" 2>/dev/null || fail "the daemon exited before it was ready"
  sleep 1
done
[ "$(status /health/ready)" = 200 ] || fail "/health/ready did not answer 200 within 120 s"
[ "$(status /health/live)" = 200 ] || fail "/health/live did not answer 200"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^bridge_' || fail "/metrics has no bridge_ metric"
# chroot, env and sh each exec the next, so the process started is the JVM itself.
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'bridge.jar' || fail "process $pid is not the daemon's JVM"
uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
[ "$uid" != 0 ] || fail "the daemon runs as root"
echo "ready: /health/live and /health/ready 200, /metrics has bridge_ metrics, the JVM runs as uid $uid"

kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=
[ "$code" = 0 ] || fail "SIGTERM: exit code $code, not 0"
grep -q "bridge: stopped" "$log" || fail "the daemon did not report a graceful stop"
echo "PASSED: the image runs, is ready, and stops on SIGTERM with exit code 0"
