#!/bin/sh
# promote: promote the candidate's database and wait (up to 30 s) until it takes writes.
. "$(dirname "$0")/lib.sh"
promoted=$(query "$(database_url "$FAILOVER_DRILL_CANDIDATE")" "SELECT pg_promote(true, 30)") || exit 1
[ "$promoted" = t ] || { echo "pg_promote returned '$promoted'" >&2; exit 1; }
echo "$FAILOVER_DRILL_CANDIDATE promoted"
