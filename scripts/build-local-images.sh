#!/usr/bin/env bash
# mmdebstrap hooks are single-quoted on purpose: mmdebstrap passes the root directory as their $1.
# shellcheck disable=SC2016
# Builds the docker-platform images from Debian packages, without a container registry:
#   failover-drill/postgres:15-bookworm  Debian bookworm + postgresql-15 (no cluster: drills run initdb)
#   failover-drill/app:bookworm          Debian bookworm + nodejs 18 + the reference app (pg bundled in)
# Each root filesystem is made by mmdebstrap from Debian's mirror and loaded with `docker import`.
# Idempotent: an image that already exists is skipped (FORCE=1 rebuilds). Prints timings.
# Env: DEBIAN_MIRROR (default http://deb.debian.org/debian), IMAGES (default "postgres app").
set -euo pipefail
cd "$(dirname "$0")/.."

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
images="${IMAGES:-postgres app}"
postgres_image=failover-drill/postgres:15-bookworm
app_image=failover-drill/app:bookworm

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

build_app() {
  # Node 18 cannot run TypeScript: esbuild (installed with tsx) strips the types and bundles pg, so
  # the image needs no node_modules.
  local bundle
  bundle=$(mktemp -d)
  trap 'rm -rf "$bundle"' RETURN
  node_modules/.bin/esbuild fixtures/app/server.ts --bundle --platform=node --format=esm \
    --target=node18 --external:pg-native --log-level=warning \
    --banner:js='import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' \
    --outfile="$bundle/server.mjs"
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

for name in $images; do
  case "$name" in
    postgres) image=$postgres_image ;;
    app) image=$app_image ;;
    *) echo "build-local-images: unknown image '$name' (postgres, app)" >&2; exit 2 ;;
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
