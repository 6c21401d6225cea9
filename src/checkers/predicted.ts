// What the architecture predicts, printed beside what was measured.
import { resolverHoldMs } from "../dns/site-resolvers.ts";
import type { Drill } from "../drill/types.ts";
import { clientOpIntervalMs } from "./history.ts";
import type { Predicted } from "./types.ts";

export function predict(drill: Drill): Predicted {
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
