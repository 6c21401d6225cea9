#!/usr/bin/env bash
# Runs a drill suite from cron and keeps the trend store (docs/ci.md, "A plain cron job").
#   scripts/cron-drills.sh [SUITE]        default drills/weekly.yaml
# DRILL_REPORTS: where reports and the trend store live (default: reports/ in this checkout).
# KEEP_RUNS: run directories kept per drill (default 12); every run's figures stay in its
#   reports/<drill>/index.jsonl, which is never pruned.
# Exit code: the suite's (1 objective missed, 3 inconclusive, 4 infrastructure), else 1 when a
# drill's trend shows a regression, else 0.
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:-drills/weekly.yaml}"
reports="${DRILL_REPORTS:-$PWD/reports}"
keep="${KEEP_RUNS:-12}"
mkdir -p "$reports"

started="$(mktemp)"
trap 'rm -f "$started"' EXIT
code=0
node bin/failover-drill.js suite "$suite" --out "$reports" || code=$?

# The drills that ran now (their run directories are newer than the marker), each against its history.
regressed=0
while read -r drill; do
  [ -f "$drill/index.jsonl" ] || continue
  node bin/failover-drill.js trend "$drill" --fail-on-regression || regressed=1
done < <(find "$reports" -mindepth 2 -maxdepth 2 -type d -newer "$started" -printf '%h\n' | sort -u)

# Old run directories go; the trend store (index.jsonl) stays.
for drill in "$reports"/*/; do
  find "$drill" -mindepth 1 -maxdepth 1 -type d -name '2*' | sort | head -n "-$keep" | xargs -r rm -rf
done

if [ "$code" -ne 0 ]; then exit "$code"; fi
exit "$regressed"
