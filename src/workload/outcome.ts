// Classifies what a client saw into Jepsen's three outcomes. The rule that keeps RPO honest: only call
// a write `fail` when it certainly never reached the database; anything uncertain is `info`.
import type { OpType } from "../history/types.ts";

export interface ClientObservation {
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Parsed response body, when a response arrived. */
  body?: unknown;
  /** Node error code when no response arrived (ECONNREFUSED, ECONNRESET, ECONNABORTED, ...). */
  errorCode?: string;
}

/** Errors raised before a request could have been sent: the write cannot have happened. */
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEOUT",
  "EBADRESP",
  "EADDRNOTAVAIL",
]);

export function classifyWrite(o: ClientObservation): OpType {
  if (o.status !== undefined) {
    if (o.status >= 200 && o.status < 300) return "ok";
    const applied = (o.body as { applied?: unknown } | undefined)?.applied;
    // The app says it did not apply the write (standby, or no database connection was ever made).
    if (applied === false) return "fail";
    return "info";
  }
  if (o.errorCode !== undefined && NEVER_SENT.has(o.errorCode)) return "fail";
  return "info";
}

/**
 * The outcome of one write retried over several attempts with the same (idempotent) id: acknowledged
 * if any attempt was; otherwise unknown if any attempt might have applied it; otherwise not applied.
 */
export function combineAttempts(outcomes: OpType[]): OpType {
  if (outcomes.includes("ok")) return "ok";
  if (outcomes.length === 0 || outcomes.includes("info")) return "info";
  return "fail";
}
