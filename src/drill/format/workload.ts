// The client workload, the DNS name clients resolve, and the wait before the final reads.
import { formatDuration } from "../duration.ts";
import { section, withDefault } from "../schema/fields.ts";
import { mapping } from "../schema/mapping.ts";
import { DNS_PROVIDER_NAMES } from "../../dns/providers.ts";
import { integer, oneOf, pattern } from "../schema/scalars.ts";
import { refine } from "../schema/spec.ts";
import { duration, rate } from "./units.ts";

export const MAX_RETRY_ATTEMPTS = 10;
export const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const RETRY = mapping(
  {
    attempts: withDefault(integer(1, MAX_RETRY_ATTEMPTS), 1, { description: "1 = no retry." }),
    backoff: withDefault(duration({ positive: false }), 0, {
      as: "backoffMs",
      description: "Wait between attempts.",
    }),
  },
  { description: "Attempts per write with the same id (idempotent) before the op is given up." },
);

export const WORKLOAD = mapping({
  clients: withDefault(integer(1), 4),
  rate: withDefault(rate, 400, {
    as: "ratePerSecond",
    description: "Target writes per second over all clients together.",
  }),
  duration: withDefault(duration({ positive: true }), 30_000, {
    as: "durationMs",
    description: "How long clients write; every fault happens within it.",
  }),
  requestTimeout: withDefault(duration({ positive: true }), 1_000, {
    as: "requestTimeoutMs",
    description:
      "Per-request timeout; a request that times out after being sent is recorded as info (unknown).",
  }),
  /** In client failover mode every failed attempt moves the client to the next regional endpoint. */
  retry: section(RETRY),
});

/** Whole seconds, as DNS carries them; kept in ms for uniformity. */
const ttl = refine(duration({ positive: false }), (ms, field, { reader }) => {
  if (ms % 1000 === 0) return ms;
  reader.report(field, `must be whole seconds (DNS carries the TTL in seconds), got ${formatDuration(ms)}`);
  return undefined;
});

export const DNS = mapping({
  name: withDefault(pattern(DNS_NAME, "a lowercase DNS name like api.drill.test"), "api.drill.test", {
    description: "The name clients resolve.",
  }),
  ttl: withDefault(ttl, 5_000, { as: "ttlMs", description: "TTL of the answer, whole seconds; 0s allowed." }),
  server: withDefault(oneOf(DNS_PROVIDER_NAMES), "embedded", {
    description: "Where the record lives (the DNS provider): embedded = the built-in authoritative server.",
  }),
});

export const RECOVERY = mapping({
  wait: withDefault(duration({ positive: false }), 3_000, {
    as: "waitMs",
    description: "After healing, wait this long before the final reads.",
  }),
});
