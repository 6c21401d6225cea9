#!/bin/sh
# status: print the region whose database takes writes (not in recovery); print nothing when no region
# answers as primary. A region that cannot be reached is not primary, as far as the drill can tell.
# Polled every controller.healthCheck.interval; must finish within healthCheck.timeout.
. "$(dirname "$0")/lib.sh"
for region in $FAILOVER_DRILL_REGIONS; do
  if [ "$(query "$(database_url "$region")" "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ]; then
    echo "$region"
    exit 0
  fi
done
exit 0
