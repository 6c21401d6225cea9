// What Patroni's own parameters predict for a leader that dies (pure; the checkers print it beside
// the measurements). The leader renews its key every loop_wait with a lifetime of ttl, so the key
// expires between ttl - loop_wait and ttl after the leader's death; a replica watching the key races
// for it at once and promotes. Each HAProxy marks the new leader up after `rise` good checks, one
// every `inter`: (rise - 1) x inter to rise x inter after it starts answering GET /primary; the old
// leader, if it is unreachable rather than dead, is marked down after `fall` failed checks.
import { DEFAULT_HAPROXY, DEFAULT_PATRONI } from "../../drill/format/patroni-defaults.ts";
import type { Drill } from "../../drill/types.ts";

/**
 * How much longer the leader key may live when the outage also takes the DCS leader. etcd: electing
 * the next leader takes one to two election timeouts (1 s by default), and the new leader extends
 * every lease by one more; Raft (pysyncobj): the next leader, elected within its 1.4 s maximum
 * timeout, expires the key.
 */
export const DCS_LEADER_CHANGE_MS = { etcd: 3500, raft: 2000 } as const;

/**
 * From winning the leader race to a committed canary: pg_promote, the end of recovery and one commit.
 * Not set by any parameter; under half a second on a loaded 2-core machine (measured 0.1-0.4 s), so
 * the range allows a second.
 */
export const PATRONI_PROMOTION_ALLOWANCE_MS = 1000;

export interface PatroniPrediction {
  /**
   * t_fault -> the leader key expires (a replica sees the leader gone): ttl - loop_wait .. ttl, plus
   * DCS_LEADER_CHANGE_MS when the outage also took the DCS leader.
   */
  detectionRangeMs: [number, number];
  /** t_fault -> the new leader commits. */
  writableRangeMs: [number, number];
  /** writable -> a region's HAProxy routes to the new leader; null under client routing. */
  routingDelayRangeMs: [number, number] | null;
  /** t_fault -> every HAProxy routes to the new leader; null under client routing. */
  routingRangeMs: [number, number] | null;
  /** t_fault -> HAProxy marks an unreachable old leader down; null under client routing. */
  markedDownRangeMs: [number, number] | null;
  /** The parameters the figures rest on, in words. */
  basis: string;
}

const s = (ms: number): string => `${ms / 1000} s`;

export function predictPatroni(drill: Drill): PatroniPrediction {
  const p = drill.controller.patroni ?? DEFAULT_PATRONI;
  const detectionRangeMs: [number, number] = [p.ttlMs - p.loopWaitMs, p.ttlMs + DCS_LEADER_CHANGE_MS[p.dcs]];
  const writableRangeMs: [number, number] = [
    detectionRangeMs[0],
    detectionRangeMs[1] + PATRONI_PROMOTION_ALLOWANCE_MS,
  ];
  const patroniBasis =
    `Patroni ttl ${s(p.ttlMs)}, loop_wait ${s(p.loopWaitMs)} for a leader that dies or freezes, ` +
    `+ ${s(DCS_LEADER_CHANGE_MS[p.dcs])} if the ${p.dcs} leader fell too`;
  if (drill.controller.routing !== "haproxy") {
    return {
      detectionRangeMs,
      writableRangeMs,
      routingDelayRangeMs: null,
      routingRangeMs: null,
      markedDownRangeMs: null,
      basis: patroniBasis,
    };
  }
  const h = drill.controller.haproxy ?? DEFAULT_HAPROXY;
  const routingDelayRangeMs: [number, number] = [(h.rise - 1) * h.interMs, h.rise * h.interMs];
  return {
    detectionRangeMs,
    writableRangeMs,
    routingDelayRangeMs,
    routingRangeMs: [
      writableRangeMs[0] + routingDelayRangeMs[0],
      writableRangeMs[1] + routingDelayRangeMs[1],
    ],
    markedDownRangeMs: [(h.fall - 1) * h.interMs, h.fall * h.interMs],
    basis: `${patroniBasis}; HAProxy inter ${s(h.interMs)}, rise ${h.rise}, fall ${h.fall}`,
  };
}
