// The options of pg_auto_failover (controller.pgAutoFailover): where its monitor runs and the monitor's
// timing GUCs (pgautofailover.*), with pg_auto_failover 2.0's own defaults, so a drill that names only
// `manager: pg_auto_failover` runs the reference set-up.
import { formatDuration } from "../duration.ts";
import type { FieldAt } from "../schema/fields.ts";
import { withDefault } from "../schema/fields.ts";
import { mapping } from "../schema/mapping.ts";
import { integer } from "../schema/scalars.ts";
import type { Static, ValueSpec } from "../schema/spec.ts";
import { regionName, regionRef } from "./common.ts";
import { duration } from "./units.ts";

/** The monitor on a site of its own, outside every region: no region outage takes it down. */
export const OWN_SITE = "own-site";

/** `own-site`, or the name of the region whose outage takes the monitor down with it. */
const monitorSite: ValueSpec<string> = {
  read(field, scope) {
    const name = scope.reader.string(field);
    if (name === undefined || name === OWN_SITE) return name;
    return regionRef.read(field, scope);
  },
  schema: (builder) => ({ anyOf: [{ const: OWN_SITE }, regionName.schema(builder)] }),
};

export const PG_AUTO_FAILOVER = mapping(
  {
    monitor: withDefault(monitorSite, OWN_SITE, {
      description:
        "Where the monitor runs: own-site = a site outside the regions (no region outage takes it), or " +
        "a region's name = co-located there, so that region's outage takes the monitor down too.",
    }),
    healthCheckPeriod: withDefault(duration({ positive: true }), 5_000, {
      as: "healthCheckPeriodMs",
      description:
        "pgautofailover.health_check_period: time between two rounds of the monitor's health checks.",
    }),
    healthCheckTimeout: withDefault(duration({ positive: true }), 5_000, {
      as: "healthCheckTimeoutMs",
      description: "pgautofailover.health_check_timeout: connect timeout of one health check.",
    }),
    healthCheckMaxRetries: withDefault(integer(0, 100), 2, {
      description: "pgautofailover.health_check_max_retries: retries before a node's health turns bad.",
    }),
    healthCheckRetryDelay: withDefault(duration({ positive: true }), 2_000, {
      as: "healthCheckRetryDelayMs",
      description: "pgautofailover.health_check_retry_delay: wait between two retries of a health check.",
    }),
    unhealthyTimeout: withDefault(duration({ positive: true }), 20_000, {
      as: "unhealthyTimeoutMs",
      description:
        "pgautofailover.node_considered_unhealthy_timeout: a node whose keeper has not reported for this " +
        "long and whose health check failed is unhealthy; for the primary that starts the failover.",
    }),
    demoteTimeout: withDefault(duration({ positive: true }), 30_000, {
      as: "demoteTimeoutMs",
      description:
        "pgautofailover.primary_demote_timeout: how long the monitor waits for an unreachable primary " +
        "to demote itself before the promoted standby takes writes.",
    }),
    startupGracePeriod: withDefault(duration({ positive: false }), 10_000, {
      as: "startupGracePeriodMs",
      description: "pgautofailover.startup_grace_period: no failover this soon after the monitor started.",
    }),
    networkPartitionTimeout: withDefault(duration({ positive: true }), 20_000, {
      as: "networkPartitionTimeoutMs",
      description:
        "The keepers' timeout.network_partition_timeout (whole seconds): a primary that reaches neither " +
        "the monitor nor a standby for this long demotes itself.",
      check: (ms, at) => wholeSeconds(ms, at),
    }),
  },
  {
    description:
      "pg_auto_failover's monitor placement and timing (its defaults: own site, 5 s checks, 20 s " +
      "unhealthy, 30 s demote).",
  },
);

/** pg_autoctl's keeper settings are integers of seconds. */
function wholeSeconds(ms: number | undefined, { field, scope }: FieldAt): number | undefined {
  if (ms === undefined || ms % 1000 === 0 || field === undefined) return ms;
  scope.reader.report(field, `must be whole seconds (pg_autoctl takes integers), got ${formatDuration(ms)}`);
  return undefined;
}

export type PgAutoFailoverSpec = Static<typeof PG_AUTO_FAILOVER>;

/** controller.pgAutoFailover when the drill leaves it out: pg_auto_failover 2.0's defaults. */
export const DEFAULT_PG_AUTO_FAILOVER: PgAutoFailoverSpec = {
  monitor: OWN_SITE,
  healthCheckPeriodMs: 5_000,
  healthCheckTimeoutMs: 5_000,
  healthCheckMaxRetries: 2,
  healthCheckRetryDelayMs: 2_000,
  unhealthyTimeoutMs: 20_000,
  demoteTimeoutMs: 30_000,
  startupGracePeriodMs: 10_000,
  networkPartitionTimeoutMs: 20_000,
};

/** controller.pgAutoFailover: its defaults under manager pg_auto_failover, refused under any other. */
export function pgAutoFailoverOnly(
  spec: PgAutoFailoverSpec | undefined,
  { field, values, scope }: FieldAt,
): PgAutoFailoverSpec | undefined {
  const manager = values["manager"];
  if (manager === "pg_auto_failover") return spec ?? DEFAULT_PG_AUTO_FAILOVER;
  if (field !== undefined && manager !== undefined) {
    scope.reader.report(
      field,
      `only applies to controller.manager pg_auto_failover (manager is ${String(manager)}); remove it`,
    );
  }
  return undefined;
}
