// The options of the failover managers that route clients themselves (controller.routing) and of
// Patroni (controller.patroni) and the HAProxy in front of it (controller.haproxy). Patroni's and
// HAProxy's own defaults, so a drill that names only `manager: patroni` runs the reference set-up.
import { formatDuration } from "../duration.ts";
import { optional, withDefault } from "../schema/fields.ts";
import { mapping } from "../schema/mapping.ts";
import { boolean, integer, oneOf } from "../schema/scalars.ts";
import { refine, type Static } from "../schema/spec.ts";
import { duration } from "./units.ts";

/**
 * How a manager's clients reach the primary. haproxy: a load balancer per region checks every
 * member's REST API and forwards to the primary; the region's app uses it. dns: the manager's role
 * change callback points the drill's DNS name at the new primary's region with an RFC 2136 update
 * (nsupdate, TSIG-signed); clients follow DNS and each app writes to its own region's member.
 * client: each app gets a libpq multi-host URL with target_session_attrs=read-write and finds the
 * primary itself.
 */
export const ROUTINGS = ["haproxy", "dns", "client"] as const;
export type Routing = (typeof ROUTINGS)[number];

/** Patroni's DCS: an etcd cluster (one member per region) or Patroni's own Raft (pysyncobj). */
export const PATRONI_DCS = ["etcd", "raft"] as const;

/** Whole seconds, at least 1: Patroni and HAProxy take these as integers of seconds. */
function seconds(): ReturnType<typeof duration> {
  return refine(duration({ positive: true }), (ms, field, { reader }) => {
    if (ms % 1000 === 0) return ms;
    reader.report(field, `must be whole seconds (Patroni takes integers), got ${formatDuration(ms)}`);
    return undefined;
  });
}

export const PATRONI = mapping(
  {
    ttl: withDefault(seconds(), 30_000, {
      as: "ttlMs",
      description:
        "Lifetime of the leader key in the DCS: the leader's death is noticed when it expires, between " +
        "ttl - loopWait and ttl after it. At least loopWait + 2 x retryTimeout.",
    }),
    loopWait: withDefault(seconds(), 10_000, {
      as: "loopWaitMs",
      description: "Time between two runs of Patroni's HA loop (the leader renews its key once per loop).",
    }),
    retryTimeout: withDefault(seconds(), 10_000, {
      as: "retryTimeoutMs",
      description: "How long Patroni retries the DCS and PostgreSQL before a leader demotes itself.",
    }),
    dcs: withDefault(oneOf(PATRONI_DCS), "etcd", {
      description:
        "etcd: one etcd 3.4 member per region (plus a witness member outside the regions when their " +
        "number is even). raft: Patroni's own Raft (pysyncobj) with a patroni_raft_controller witness " +
        "when the number of regions is even.",
    }),
    etcdPreVote: optional(boolean(), {
      description:
        "dcs etcd only: run etcd with --pre-vote (off by default in etcd 3.4, on from 3.5). Without it a " +
        "member cut off from its peers keeps raising its term and, when it rejoins, forces a new etcd " +
        "election, which can cost the new Patroni leader its key (docs/managers.md).",
    }),
  },
  {
    description: "Patroni's timing and DCS (Patroni's defaults: 30 s, 10 s, 10 s, etcd).",
    check({ values: { ttl, loopWait, retryTimeout, dcs, etcdPreVote }, fields, scope }) {
      if (etcdPreVote !== undefined && dcs === "raft" && fields.etcdPreVote !== undefined) {
        scope.reader.report(fields.etcdPreVote, "only applies to dcs etcd (dcs is raft); remove it");
        return false;
      }
      if (ttl === undefined || loopWait === undefined || retryTimeout === undefined) return true;
      if (loopWait + 2 * retryTimeout <= ttl) return true;
      // Patroni's own rule: a leader must be able to retry the DCS twice within its key's lifetime,
      // else one slow DCS answer costs it the lock.
      const field = fields.ttl ?? fields.retryTimeout ?? fields.loopWait;
      if (field !== undefined) {
        scope.reader.report(
          field,
          `ttl must be at least loopWait + 2 x retryTimeout (${formatDuration(loopWait + 2 * retryTimeout)}), ` +
            `got ${formatDuration(ttl)}`,
        );
      }
      return false;
    },
  },
);

export const HAPROXY = mapping(
  {
    inter: withDefault(duration({ positive: true }), 3_000, {
      as: "interMs",
      description: "Time between two health checks of each member (GET /primary on its REST API).",
    }),
    fall: withDefault(integer(1), 3, {
      description: "Consecutive failed checks before a member is marked down (its sessions are shut down).",
    }),
    rise: withDefault(integer(1), 2, {
      description: "Consecutive good checks before a member is marked up and gets connections.",
    }),
  },
  { description: "HAProxy's health checks (Patroni's reference template: inter 3s fall 3 rise 2)." },
);

export type PatroniSpec = Static<typeof PATRONI>;
export type HaproxySpec = Static<typeof HAPROXY>;
