// What the architecture predicts, printed beside what was measured.
import type { Drill } from "../drill/types.ts";
import type { Predicted } from "./types.ts";

export function predict(drill: Drill): Predicted {
  const { intervalMs, timeoutMs, failureThreshold } = drill.controller.healthCheck;
  const detectionMs = intervalMs * failureThreshold;
  const { clients, ratePerSecond } = drill.workload;
  return {
    detectionMs,
    detectionRangeMs: [Math.max(0, failureThreshold - 1) * intervalMs, detectionMs + timeoutMs],
    // Promotion time depends on the engine and the load; it is measured, not predicted.
    dnsFailoverMs: detectionMs + drill.dns.ttlMs,
    ttlMs: drill.dns.ttlMs,
    clientOpIntervalMs: ratePerSecond > 0 ? (clients * 1000) / ratePerSecond : 0,
  };
}
