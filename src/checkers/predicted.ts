// What the architecture predicts, printed beside what was measured.
import type { Drill } from "../drill/types.ts";
import { predictPatroni } from "../managers/patroni/predict.ts";
import { clientOpIntervalMs } from "./history.ts";
import type { Predicted } from "./types.ts";

export function predict(drill: Drill): Predicted {
  if (drill.controller.manager === "patroni") return predictFromPatroni(drill);
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

/** Patroni's own parameters instead of the built-in health check: src/managers/patroni/predict.ts. */
function predictFromPatroni(drill: Drill): Predicted {
  const p = predictPatroni(drill);
  const [low, high] = p.detectionRangeMs;
  const detectionMs = (low + high) / 2;
  return {
    detectionMs,
    detectionRangeMs: p.detectionRangeMs,
    dnsFailoverMs: detectionMs + drill.dns.ttlMs,
    ttlMs: drill.dns.ttlMs,
    clientOpIntervalMs: clientOpIntervalMs(drill),
    basis: p.basis,
    writableRangeMs: p.writableRangeMs,
    ...(p.routingRangeMs === null ? {} : { routingRangeMs: p.routingRangeMs }),
  };
}
