#!/usr/bin/env bash
# mmdebstrap hooks are single-quoted on purpose: mmdebstrap passes the root directory as their $1.
# shellcheck disable=SC2016
# Builds the docker-platform images from Debian packages, without a container registry:
#   failover-drill/postgres:15-bookworm  Debian bookworm + postgresql-15 (no cluster: drills run initdb)
#   failover-drill/app:bookworm          Debian bookworm + nodejs 18 + the reference app (pg bundled in)
#   failover-drill/byo-app:bookworm      the app image + fixtures/byo-app (a "bring your own app" test app)
#   failover-drill/toxiproxy:embedded    the app image + our Toxiproxy-compatible server (API on :8474)
# The first two root filesystems are made by mmdebstrap from Debian's mirror and loaded with
# `docker import`; the last two add one bundled file to the app image with `docker build` (classic
# builder, FROM a local image: nothing is pulled).
# Idempotent: an image that already exists is skipped (FORCE=1 rebuilds). Prints timings.
# Env: DEBIAN_MIRROR (default http://deb.debian.org/debian),
#      IMAGES (default "postgres app byo-app toxiproxy"; byo-app and toxiproxy build app first when
#      it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
images="${IMAGES:-postgres app byo-app toxiproxy}"
postgres_image=failover-drill/postgres:15-bookworm
app_image=failover-drill/app:bookworm
byo_app_image=failover-drill/byo-app:bookworm
toxiproxy_image=failover-drill/toxiproxy:embedded

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Milliseconds since $1 (a now_ms value), printed as seconds with one decimal.
elapsed() { local d=$(($(now_ms) - $1)); printf '%d.%ds' $((d / 1000)) $((d % 1000 / 100)); }
t0=$(now_ms)

if ! command -v mmdebstrap >/dev/null 2>&1; then
  t=$(now_ms)
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
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

# Node 18 cannot run TypeScript: esbuild (installed with tsx) strips the types and bundles pg, so
# the images need no node_modules. Usage: bundle <entry.ts> <out.mjs>
bundle() {
  node_modules/.bin/esbuild "$1" --bundle --platform=node --format=esm \
    --target=node18 --external:pg-native --log-level=warning \
    --banner:js='import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' \
    --outfile="$2"
}

build_app() {
  local bundle
  bundle=$(mktemp -d)
  trap 'rm -rf "$bundle"; trap - RETURN' RETURN
  bundle fixtures/app/server.ts "$bundle/server.mjs"
  mmdebstrap "${slim[@]}" --include=nodejs \
    --customize-hook="mkdir -p \"\$1\"/app && cp '$bundle/server.mjs' \"\$1\"/app/server.mjs" \
    "$suite" - "$mirror" |
    docker import \
      --change "ENV PATH=$base_path" \
      --change 'ENV HOST=0.0.0.0 PORT=8080' \
      --change 'USER nobody' \
      --change 'WORKDIR /app' \
      --change 'EXPOSE 8080' \
      --change 'CMD ["node", "/app/server.mjs"]' \
      - "$app_image" >/dev/null
}

# Adds one bundled entry point to the app image (Debian + nodejs). Usage:
# build_on_app <image> <entry.ts> <dir in image> <port> <CMD json>
build_on_app() {
  local context
  context=$(mktemp -d)
  trap 'rm -rf "$context"; trap - RETURN' RETURN
  bundle "$2" "$context/main.mjs"
  printf '%s\n' "FROM $app_image" "COPY main.mjs $3/main.mjs" "WORKDIR $3" "EXPOSE $4" "CMD $5" \
    >"$context/Dockerfile"
  # The classic builder resolves FROM locally; BuildKit (not installed here) would look elsewhere.
  DOCKER_BUILDKIT=0 docker build -q -t "$1" "$context" >/dev/null 2>"$context/build.log" ||
    { cat "$context/build.log" >&2; return 1; }
}

build_byo-app() {
  build_on_app "$byo_app_image" fixtures/byo-app/server.ts /byo-app 3000 '["node", "/byo-app/main.mjs"]'
}

build_toxiproxy() {
  build_on_app "$toxiproxy_image" src/platform/docker-toxiproxy-main.ts /toxiproxy 8474 \
    '["node", "/toxiproxy/main.mjs"]'
}

# byo-app and toxiproxy are layers on the app image: build it first when it is missing...
case " $images " in
  *" byo-app "* | *" toxiproxy "*)
    case " $images " in *" app "*) ;; *) exists "$app_image" || images="app $images" ;; esac
    ;;
esac
# ...and before them when both are asked for, whatever the order given.
ordered=""
for name in $images; do [ "$name" = app ] && ordered="$ordered $name"; done
for name in $images; do [ "$name" = app ] || ordered="$ordered $name"; done
images=$ordered

for name in $images; do
  case "$name" in
    postgres) image=$postgres_image ;;
    app) image=$app_image ;;
    byo-app) image=$byo_app_image ;;
    toxiproxy) image=$toxiproxy_image ;;
    *) echo "build-local-images: unknown image '$name' (postgres, app, byo-app, toxiproxy)" >&2; exit 2 ;;
  esac
  if [ "${FORCE:-0}" != 1 ] && exists "$image"; then
    echo "build-local-images: $image exists, skipped"
    continue
  fi
  t=$(now_ms)
  previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  "build_$name"
  # A forced rebuild would otherwise leave the old image dangling.
  if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$image")" ]; then
    docker rmi "$previous" >/dev/null 2>&1 || true
  fi
  size=$(docker image inspect --format '{{.Size}}' "$image")
  echo "build-local-images: built $image ($((size / 1024 / 1024)) MiB) in $(elapsed "$t")"
done
echo "build-local-images: done in $(elapsed "$t0")"
