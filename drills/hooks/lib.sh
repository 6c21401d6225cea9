# Shared by the example hooks: the drill's per-region variables by region name.
# FAILOVER_DRILL_REGION_<NAME>_<WHAT>, NAME upper-cased with - as _ (docs/hooks.md).
region_var() {
  printf 'FAILOVER_DRILL_REGION_%s_%s' "$(printf '%s' "$1" | tr 'a-z-' 'A-Z_')" "$2"
}

# The region's database connection string.
database_url() {
  eval "printf '%s' \"\${$(region_var "$1" DATABASE_URL)}\""
}

# One value from the database, or nothing (and a non-zero exit) when it does not answer in 2 s.
query() {
  PGCONNECT_TIMEOUT=2 psql "$1" -XAtqc "$2"
}

command -v psql >/dev/null 2>&1 || {
  echo "psql is not installed (Debian: apt-get install postgresql-client)" >&2
  exit 127
}
