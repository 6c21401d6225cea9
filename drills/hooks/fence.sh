#!/bin/sh
# fence: keep the old primary from taking writes, if it can still be reached: new sessions become
# read-only. One that cannot be reached is cut off already (from the drill's side at least).
. "$(dirname "$0")/lib.sh"
url=$(database_url "$FAILOVER_DRILL_FAILED_REGION")
if query "$url" "ALTER SYSTEM SET default_transaction_read_only = on" >/dev/null 2>&1 &&
  query "$url" "SELECT pg_reload_conf()" >/dev/null 2>&1; then
  echo "$FAILOVER_DRILL_FAILED_REGION fenced: default_transaction_read_only = on"
else
  echo "$FAILOVER_DRILL_FAILED_REGION unreachable: nothing to fence from here"
fi
