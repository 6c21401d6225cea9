// What the architecture predicts, printed beside what was measured.
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
    dnsFailoverMs: detectionMs + drill.dns.ttlMs,
    ttlMs: drill.dns.ttlMs,
    clientOpIntervalMs: clientOpIntervalMs(drill),
  };
}
