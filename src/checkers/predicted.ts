// What the architecture predicts, printed beside what was measured: from the built-in controller's
// health check, or from the failover manager's own parameters where the drill names one we model.
import { resolverHoldMs } from "../dns/site-resolvers.ts";
import type { Drill, OutageMode } from "../drill/types.ts";
import { predictPatroni } from "../managers/patroni/predict.ts";
import { clientOpIntervalMs } from "./history.ts";
import { pgAutoFailoverTiming } from "./pg-auto-failover-timing.ts";
import type { Predicted } from "./types.ts";

export function predict(drill: Drill): Predicted {
  if (drill.controller.manager === "patroni") return predictFromPatroni(drill);
  const pgAutoFailover = drill.controller.pgAutoFailover;
  if (drill.controller.manager === "pg_auto_failover" && pgAutoFailover !== undefined) {
    const timing = pgAutoFailoverTiming(pgAutoFailover, primaryOutageMode(drill));
    const [lower, upper] = timing.detectionRangeMs;
    const detectionMs = Math.round((lower + upper) / 2);
    return {
      detectionMs,
      detectionRangeMs: timing.detectionRangeMs,
      writableRangeMs: timing.writableRangeMs,
      dnsFailoverMs: detectionMs + resolverHoldMs(drill.dns),
      ttlMs: drill.dns.ttlMs,
      clientOpIntervalMs: clientOpIntervalMs(drill),
    };
  }
  const { intervalMs, timeoutMs, failureThreshold } = drill.controller.healthCheck;
  const detectionMs = intervalMs * failureThreshold;
  return {
    detectionMs,
    detectionRangeMs: [Math.max(0, failureThreshold - 1) * intervalMs, detectionMs + timeoutMs],
    // Promotion time depends on the engine and the load; it is measured, not predicted.
    // Behind real resolvers, their cache time (clamped, whole seconds) instead of the TTL.
    dnsFailoverMs: detectionMs + resolverHoldMs(drill.dns),
    ttlMs: drill.dns.ttlMs,
    clientOpIntervalMs: clientOpIntervalMs(drill),
  };
}

/** How the drill takes its primary region down (its first region-outage there; kill when none). */
function primaryOutageMode(drill: Drill): OutageMode {
  const primary = drill.regions.find((r) => r.role === "primary")?.name;
  for (const f of drill.faults) if (f.type === "region-outage" && f.region === primary) return f.mode;
  return "kill";
}

/** Patroni's own parameters instead of the built-in health check: src/managers/patroni/predict.ts. */
function predictFromPatroni(drill: Drill): Predicted {
  const p = predictPatroni(drill);
  const [low, high] = p.detectionRangeMs;
  const detectionMs = (low + high) / 2;
  return {
    detectionMs,
    detectionRangeMs: p.detectionRangeMs,
    dnsFailoverMs: detectionMs + resolverHoldMs(drill.dns),
    ttlMs: drill.dns.ttlMs,
    clientOpIntervalMs: clientOpIntervalMs(drill),
    basis: p.basis,
    writableRangeMs: p.writableRangeMs,
    ...(p.routingRangeMs === null ? {} : { routingRangeMs: p.routingRangeMs }),
  };
}
