#!/usr/bin/env bash
# Starts a Docker engine for the docker-platform drills and tests on a plain Debian machine (CI, a
# developer's box): installs docker.io if dockerd is missing, starts dockerd in the background if no
# engine answers, and waits for `docker info`. Idempotent: a running engine is left alone.
# Env: DOCKERD_LOG (default /tmp/dockerd.log), DOCKERD_WAIT_S (default 60).
set -euo pipefail

log="${DOCKERD_LOG:-/tmp/dockerd.log}"
wait_s="${DOCKERD_WAIT_S:-60}"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Milliseconds since $1 (a now_ms value), printed as seconds with one decimal.
elapsed() { local d=$(($(now_ms) - $1)); printf '%d.%ds' $((d / 1000)) $((d % 1000 / 100)); }
t0=$(now_ms)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v dockerd >/dev/null 2>&1; then
  t=$(now_ms)
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  echo "start-dockerd: installed docker.io in $(elapsed "$t")"
fi

if docker info >/dev/null 2>&1; then
  echo "start-dockerd: engine already running ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

t=$(now_ms)
# No systemd here: run dockerd detached (its own session, so whatever started this script can end,
# its process group included, and the engine runs on). It starts its own containerd.
as_root sh -c "setsid nohup dockerd >>'$log' 2>&1 </dev/null &"
for _ in $(seq 1 "$((wait_s * 5))"); do
  if docker info >/dev/null 2>&1; then
    echo "start-dockerd: engine $(docker version --format '{{.Server.Version}}') up in $(elapsed "$t") (total $(elapsed "$t0")), log $log"
    exit 0
  fi
  sleep 0.2
done
echo "start-dockerd: dockerd did not answer within ${wait_s}s; last log lines:" >&2
tail -n 30 "$log" >&2 || true
exit 1
