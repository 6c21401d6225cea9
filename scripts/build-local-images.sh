#!/usr/bin/env bash
# mmdebstrap hooks are single-quoted on purpose: mmdebstrap passes the root directory as their $1.
# shellcheck disable=SC2016
# Builds the docker-platform images from Debian packages, without a container registry:
#   failover-drill/postgres:15-bookworm  Debian bookworm + postgresql-15 (no cluster: drills run initdb)
#   failover-drill/node:18-bookworm      Debian bookworm + nodejs 18: the base of the three below
#   failover-drill/app:bookworm          the reference app (fixtures/app/server.ts, pg bundled in)
#   failover-drill/byo-app:bookworm      fixtures/byo-app (a "bring your own app" test app)
#   failover-drill/toxiproxy:embedded    our Toxiproxy-compatible server (API on :8474)
#   failover-drill/stacks:bookworm       Debian bookworm + patroni, etcd-server, haproxy, postgresql-15:
#                                        the HA stacks' processes on the docker platform
# The two root filesystems are made by mmdebstrap from Debian's mirror and loaded with `docker
# import` (tens of seconds; skipped when the image exists, FORCE=1 rebuilds). The three others add one
# bundled file to the node image with `docker build` (classic builder, FROM a local image: nothing
# is pulled; under a second). They carry the bundle's sha256 as a label and are rebuilt whenever the
# source changed, so a drill never runs a stale app or proxy.
# Env: DEBIAN_MIRROR (default http://deb.debian.org/debian),
#      IMAGES (default "postgres app byo-app toxiproxy stacks"; the node base is built when missing),
#      NODE_BASE_IMAGE: build the three layers FROM this image instead of building the node base
#      (where a registry is reachable, e.g. node:20-bookworm-slim; docker build pulls it if absent).
set -euo pipefail
cd "$(dirname "$0")/.."

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
images="${IMAGES:-postgres app byo-app toxiproxy stacks}"
postgres_image=failover-drill/postgres:15-bookworm
node_image=${NODE_BASE_IMAGE:-failover-drill/node:18-bookworm}
app_image=failover-drill/app:bookworm
byo_app_image=failover-drill/byo-app:bookworm
toxiproxy_image=failover-drill/toxiproxy:embedded
stacks_image=failover-drill/stacks:bookworm

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Milliseconds since $1 (a now_ms value), printed as seconds with one decimal.
elapsed() { local d=$(($(now_ms) - $1)); printf '%d.%ds' $((d / 1000)) $((d % 1000 / 100)); }
t0=$(now_ms)
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v mmdebstrap >/dev/null 2>&1; then
  t=$(now_ms)
  as_root apt-get update -qq
  # The keyring lets mmdebstrap check Debian's mirror from other distributions (Ubuntu) too.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap debian-archive-keyring >/dev/null
  echo "build-local-images: installed mmdebstrap in $(elapsed "$t")"
fi

exists() { docker image inspect "$1" >/dev/null 2>&1; }

# Docs, man pages and translations are dead weight in a drill image.
slim=(
  --variant=minbase
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*'
)
base_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

build_postgres() {
  # Debian's postgresql-common creates a "main" cluster on install; drills make their own with
  # initdb, so it is dropped. mmdebstrap empties /run, so sockets go to /tmp (PGHOST). PostgreSQL
  # runs as user postgres. `docker import` cannot set STOPSIGNAL: src/platform/docker.ts sets
  # SIGINT, PostgreSQL's fast shutdown, on each container.
  mmdebstrap "${slim[@]}" --include=postgresql-15 \
    --customize-hook='chroot "$1" pg_dropcluster 15 main' \
    "$suite" - "$mirror" |
    docker import \
      --change "ENV PATH=/usr/lib/postgresql/15/bin:$base_path" \
      --change 'ENV PGDATA=/var/lib/postgresql/data PGHOST=/tmp' \
      --change 'USER postgres' \
      --change 'WORKDIR /var/lib/postgresql' \
      --change 'EXPOSE 5432' \
      --change 'CMD ["sleep", "infinity"]' \
      - "$postgres_image" >/dev/null
}

build_stacks() {
  # Every program of the HA stacks a drill runs in containers (src/managers/patroni/docker.ts), one
  # per container; the drill writes their configuration and mounts it at /drill. Nothing starts on
  # its own (mmdebstrap keeps services from starting), and Debian's "main" cluster is dropped.
  mmdebstrap "${slim[@]}" --include=postgresql-15,patroni,python3-etcd,python3-pysyncobj,etcd-server,haproxy \
    --customize-hook='chroot "$1" pg_dropcluster 15 main' \
    "$suite" - "$mirror" |
    docker import \
      --change "ENV PATH=/usr/lib/postgresql/15/bin:$base_path" \
      --change 'ENV LC_ALL=C.UTF-8' \
      --change 'CMD ["sleep", "infinity"]' \
      - "$stacks_image" >/dev/null
}

# Node 18 cannot run TypeScript: esbuild (installed with tsx) strips the types and bundles pg, so
# the images need no node_modules. Usage: bundle <entry.ts> <out.mjs>
bundle() {
  node_modules/.bin/esbuild "$1" --bundle --platform=node --format=esm \
    --target=node18 --external:pg-native --log-level=warning \
    --banner:js='import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' \
    --outfile="$2"
}

build_node() {
  mmdebstrap "${slim[@]}" --include=nodejs "$suite" - "$mirror" |
    docker import \
      --change "ENV PATH=$base_path" \
      --change 'USER nobody' \
      - "$node_image" >/dev/null
}

# Adds one bundled entry point to the node image, labelled with the bundle's sha256; skipped when
# the image already carries that label (FORCE=1 rebuilds anyway).
# Usage: build_on_node <image> <entry.ts> <dir in image> <port> <CMD json> [Dockerfile lines...]
build_on_node() {
  local image=$1 entry=$2 dir=$3 port=$4 cmd=$5 context sha current
  shift 5
  context=$(mktemp -d)
  trap 'rm -rf "$context"; trap - RETURN' RETURN
  bundle "$entry" "$context/main.mjs"
  # The base image's id is part of the hash: a new base means a rebuild too.
  sha=$({
    cat "$context/main.mjs"
    docker image inspect --format '{{.Id}}' "$node_image" 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1)
  current=$(docker image inspect --format '{{index .Config.Labels "failover-drill.bundle-sha256"}}' \
    "$image" 2>/dev/null || true)
  if [ "${FORCE:-0}" != 1 ] && [ "$current" = "$sha" ]; then
    echo "build-local-images: $image is up to date with $entry, skipped"
    return 0
  fi
  printf '%s\n' "FROM $node_image" "COPY main.mjs $dir/main.mjs" "WORKDIR $dir" "EXPOSE $port" \
    "LABEL failover-drill.bundle-sha256=$sha" "USER nobody" "$@" "CMD $cmd" >"$context/Dockerfile"
  # The classic builder resolves FROM locally; BuildKit (not installed here) would look elsewhere.
  DOCKER_BUILDKIT=0 docker build -q -t "$image" "$context" >/dev/null 2>"$context/build.log" ||
    { cat "$context/build.log" >&2; return 1; }
  echo "build-local-images: built $image from $entry"
}

build_app() {
  build_on_node "$app_image" fixtures/app/server.ts /app 8080 '["node", "/app/main.mjs"]' \
    'ENV HOST=0.0.0.0 PORT=8080'
}

build_byo-app() {
  build_on_node "$byo_app_image" fixtures/byo-app/server.ts /byo-app 3000 '["node", "/byo-app/main.mjs"]'
}

build_toxiproxy() {
  build_on_node "$toxiproxy_image" src/platform/docker-toxiproxy-main.ts /toxiproxy 8474 \
    '["node", "/toxiproxy/main.mjs"]'
}

remove_if_replaced() {
  if [ -n "$1" ] && [ "$1" != "$(docker image inspect --format '{{.Id}}' "$2")" ]; then
    docker rmi "$1" >/dev/null 2>&1 || true
  fi
}

for name in $images; do
  case "$name" in
    postgres | app | byo-app | toxiproxy | stacks) ;;
    *) echo "build-local-images: unknown image '$name' (postgres, app, byo-app, toxiproxy, stacks)" >&2; exit 2 ;;
  esac
done

# The root filesystems: slow, and their inputs (Debian packages) rarely change.
needs_node=0
for name in $images; do case "$name" in postgres | stacks) ;; *) needs_node=1 ;; esac; done
bases=""
case " $images " in *" postgres "*) bases="postgres" ;; esac
case " $images " in *" stacks "*) bases="$bases stacks" ;; esac
[ "$needs_node" = 1 ] && [ -z "${NODE_BASE_IMAGE:-}" ] && bases="$bases node"
for name in $bases; do
  image=$postgres_image
  [ "$name" = node ] && image=$node_image
  [ "$name" = stacks ] && image=$stacks_image
  if [ "${FORCE:-0}" != 1 ] && exists "$image"; then
    echo "build-local-images: $image exists, skipped"
    continue
  fi
  t=$(now_ms)
  previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  "build_$name"
  remove_if_replaced "$previous" "$image"
  size=$(docker image inspect --format '{{.Size}}' "$image")
  echo "build-local-images: built $image ($((size / 1024 / 1024)) MiB) in $(elapsed "$t")"
done

# The layers with our code: checked (and rebuilt when their source changed) every time.
for name in $images; do
  case "$name" in
    app) image=$app_image ;;
    byo-app) image=$byo_app_image ;;
    toxiproxy) image=$toxiproxy_image ;;
    *) continue ;;
  esac
  previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  "build_$name"
  remove_if_replaced "$previous" "$image"
done
echo "build-local-images: done in $(elapsed "$t0")"
