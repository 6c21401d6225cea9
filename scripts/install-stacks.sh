#!/usr/bin/env bash
# Installs, from Debian's packages, the real failover stacks drills can run besides the built-in
# default (which needs none of this): PostgreSQL 15 with pg_basebackup/pg_rewind/pg_controldata,
# Patroni with etcd or its Raft DCS, pg_auto_failover, HAProxy, BIND 9 with nsupdate, and Unbound.
# Idempotent: packages already present are skipped without touching apt. The packages' init scripts
# would start system-wide servers (named and unbound on port 53, etcd, haproxy); a policy-rc.d that
# refuses every start keeps them stopped: drills start their own, on loopback, as they need them.
# Usage: bash scripts/install-stacks.sh [PACKAGE...]   (default: every stack's packages)
set -euo pipefail

ALL_PACKAGES=(
  postgresql-15 postgresql-client-15
  patroni etcd-server etcd-client python3-pysyncobj python3-etcd
  pg-auto-failover-cli postgresql-15-auto-failover
  haproxy
  bind9 bind9-dnsutils
  unbound
)
packages=("$@")
[ "${#packages[@]}" -gt 0 ] || packages=("${ALL_PACKAGES[@]}")

now_ms() { echo $(($(date +%s%N) / 1000000)); }
elapsed() { local d=$(($(now_ms) - $1)); printf '%d.%ds' $((d / 1000)) $((d % 1000 / 100)); }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-stacks: all ${#packages[@]} packages already installed"
  exit 0
fi

t=$(now_ms)
policy=/usr/sbin/policy-rc.d
had_policy=false
[ -e "$policy" ] && had_policy=true
if ! $had_policy; then
  printf '#!/bin/sh\n# failover-drill install-stacks: no service starts during install\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod 755 "$policy"
fi
cleanup() { $had_policy || as_root rm -f "$policy"; }
trap cleanup EXIT

as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql-common creates and may start a "main" cluster; drills make their own.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do
    as_root pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
  done
fi
echo "install-stacks: installed ${missing[*]} in $(elapsed "$t")"
