#!/usr/bin/env bash
# mmdebstrap hooks are single-quoted on purpose: mmdebstrap passes the root directory as their $1.
# shellcheck disable=SC2016
# Builds the docker-platform images from Debian packages, without a container registry:
#   failover-drill/postgres:15-bookworm  Debian bookworm + postgresql-15 (no cluster: drills run initdb)
#   failover-drill/postgres:embedded     the image above + PostgreSQL 17 from the @embedded-postgres npm
#                                        package (/opt/embedded-postgres, first on PATH): logical
#                                        replication with origin = none (16+), for active-active
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
# source changed, so a drill never runs a stale app or proxy. postgres:embedded is layered the same
# way (FROM the postgres image, labelled with the sha256 of the embedded binaries).
# Env: DEBIAN_MIRROR (default http://deb.debian.org/debian),
#      IMAGES (default "postgres postgres-embedded app byo-app toxiproxy stacks"; the node base, and
#      the postgres image under postgres-embedded, are built when missing),
#      NODE_BASE_IMAGE: build the three layers FROM this image instead of building the node base
#      (where a registry is reachable, e.g. node:20-bookworm-slim; docker build pulls it if absent).
set -euo pipefail
cd "$(dirname "$0")/.."

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
images="${IMAGES:-postgres postgres-embedded app byo-app toxiproxy stacks}"
postgres_image=failover-drill/postgres:15-bookworm
postgres_embedded_image=failover-drill/postgres:embedded
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

# Debian has only PostgreSQL 15, whose subscriptions cannot skip changes that came from another
# subscription (origin = none is 16+), so bidirectional replication would loop. The npm package
# @embedded-postgres/linux-<arch> (our optional dependency, in node_modules after npm ci) carries a
# relocatable PostgreSQL 17: bin/, lib/ (its own ICU, OpenSSL, libxml2) and share/, found from bin/.
# It needs only glibc and libstdc++ from the base. Debian's 15 client tools (pg_isready, psql) stay on
# PATH after it. Skipped when the label matches the binaries and the base image (FORCE=1 rebuilds).
build_postgres-embedded() {
  local arch native context sha current version
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
  esac
  native=node_modules/@embedded-postgres/linux-$arch/native
  if [ ! -x "$native/bin/postgres" ]; then
    echo "build-local-images: $native/bin/postgres is missing (run npm ci)" >&2
    return 1
  fi
  sha=$({
    (cd "$native" && find bin lib share pg-symlinks.json -type f -print0 | sort -z | xargs -0 sha256sum)
    docker image inspect --format '{{.Id}}' "$postgres_image"
  } | sha256sum | cut -d' ' -f1)
  current=$(docker image inspect --format '{{index .Config.Labels "failover-drill.source-sha256"}}' \
    "$postgres_embedded_image" 2>/dev/null || true)
  if [ "${FORCE:-0}" != 1 ] && [ "$current" = "$sha" ]; then
    echo "build-local-images: $postgres_embedded_image is up to date with $native, skipped"
    return 0
  fi
  context=$(mktemp -d)
  trap 'rm -rf "$context"; trap - RETURN' RETURN
  mkdir "$context/native"
  cp -a "$native/bin" "$native/lib" "$native/share" "$context/native/"
  # npm's postinstall makes the library symlinks (libpq.so.5 -> libpq.so.5.17, ...) that the
  # package ships as a list; an install with --ignore-scripts lacks them, so they are made here.
  node -e '
    const fs = require("fs"), path = require("path");
    const [list, root] = process.argv.slice(1);
    for (const { source, target } of JSON.parse(fs.readFileSync(list, "utf8"))) {
      const link = path.join(root, path.relative("native", target));
      fs.rmSync(link, { force: true });
      fs.symlinkSync(path.relative(path.dirname(target), source), link);
    }' "$native/pg-symlinks.json" "$context/native"
  version=$("$native/bin/postgres" --version | sed -n 's/.*(PostgreSQL) \([0-9.]*\).*/\1/p')
  printf '%s\n' "FROM $postgres_image" "COPY native/ /opt/embedded-postgres/" \
    "ENV PATH=/opt/embedded-postgres/bin:/usr/lib/postgresql/15/bin:$base_path" \
    "LABEL failover-drill.source-sha256=$sha failover-drill.postgres-version=$version" \
    "USER postgres" >"$context/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$postgres_embedded_image" "$context" >/dev/null 2>"$context/build.log" ||
    { cat "$context/build.log" >&2; return 1; }
  # The binaries were built elsewhere (Ubuntu 18.04): prove they load here before a drill relies on it.
  if ! docker run --rm "$postgres_embedded_image" postgres --version >/dev/null; then
    docker rmi "$postgres_embedded_image" >/dev/null 2>&1 || true
    echo "build-local-images: postgres does not run in $postgres_embedded_image" >&2
    return 1
  fi
  echo "build-local-images: built $postgres_embedded_image (PostgreSQL $version) from $native"
}

remove_if_replaced() {
  if [ -n "$1" ] && [ "$1" != "$(docker image inspect --format '{{.Id}}' "$2")" ]; then
    docker rmi "$1" >/dev/null 2>&1 || true
  fi
}

for name in $images; do
  case "$name" in
    postgres | postgres-embedded | app | byo-app | toxiproxy | stacks) ;;
    *)
      echo "build-local-images: unknown image '$name' (postgres, postgres-embedded, app, byo-app, toxiproxy, stacks)" >&2
      exit 2
      ;;
  esac
done

# The root filesystems: slow, and their inputs (Debian packages) rarely change.
needs_node=0
for name in $images; do case "$name" in postgres | postgres-embedded | stacks) ;; *) needs_node=1 ;; esac; done
bases=""
# postgres-embedded needs the postgres image only as its base: built when missing, not under FORCE=1.
case " $images " in
  *" postgres "*) bases="postgres" ;;
  *" postgres-embedded "*) exists "$postgres_image" || bases="postgres" ;;
esac
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

# The layers with our code or binaries: checked (and rebuilt when their source changed) every time.
for name in $images; do
  case "$name" in
    postgres-embedded) image=$postgres_embedded_image ;;
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
