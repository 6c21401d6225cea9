// The client workload and the wait before the final reads (the DNS name clients resolve: dns.ts).
import { optional, section, withDefault, type FieldAt } from "../schema/fields.ts";
import { mapping } from "../schema/mapping.ts";
import { integer } from "../schema/scalars.ts";
import { refine } from "../schema/spec.ts";
import { CONNECTION_PROFILES, RESOLVER_PROFILES } from "../../workload/profiles.ts";
import { mix } from "./mix.ts";
import { duration, rate } from "./units.ts";

export const MAX_RETRY_ATTEMPTS = 10;
/** What a client's write does: a unique insert, set a register, or add to a counter (active-active). */
export const OP_KINDS = ["insert", "set", "add"] as const;
export const MAX_KEYS = 10_000;
/**
 * What the workload engine carries on 2 cores with every write still on time (npm run bench:workload
 * measures it; docs/drill-format.md quotes the figures). Beyond this a drill would measure the runner.
 */
export const MAX_CLIENTS = 5_000;
export const MAX_RATE_PER_SECOND = 2_000;
export { DNS, DNS_NAME } from "./dns.ts";

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

/** A field that only means something for one profile is refused when no client uses that profile. */
function onlyFor<T>(mixField: string, profile: string, what: string) {
  return (value: T | undefined, { field, values, scope }: FieldAt): T | undefined => {
    const shares = values[mixField] as Record<string, number> | undefined;
    if (field === undefined || shares === undefined || (shares[profile] ?? 0) > 0) return value;
    scope.reader.report(
      field,
      `only applies when some clients use ${mixField} ${profile} (${what}); remove it`,
    );
    return undefined;
  };
}

export const WORKLOAD = mapping({
  ops: optional(
    refine(mix("opMix", OP_KINDS), (ops, field, { reader, context }) => {
      const topology = (context as { topology?: string }).topology;
      if (topology === "active-active" || ((ops.set ?? 0) === 0 && (ops.add ?? 0) === 0)) return ops;
      reader.report(field, "set and add (keyed ops) need database.topology: active-active; use insert");
      return undefined;
    }),
    {
      description:
        "What writes do: insert (a unique row), set (a register to a unique value), add (1 to a counter); " +
        "or shares of them. Default insert; with topology active-active set 50%, add 50%.",
    },
  ),
  keys: withDefault(integer(1, MAX_KEYS), 16, {
    description:
      "Keyed ops (set, add) pick a key uniformly among this many (per home region with data residency): " +
      "fewer keys, more conflicts.",
  }),
  clients: withDefault(integer(1, MAX_CLIENTS), 4, {
    description:
      "Virtual clients, each with its own resolver cache and connection pool; the rate is shared among them.",
  }),
  rate: withDefault(
    refine(rate, (perSecond, field, { reader }) => {
      if (perSecond <= MAX_RATE_PER_SECOND) return perSecond;
      reader.report(
        field,
        `must be at most ${MAX_RATE_PER_SECOND}/s (what the workload engine carries on time on 2 cores), got ${perSecond}/s`,
      );
      return undefined;
    }),
    400,
    {
      as: "ratePerSecond",
      description: "Target writes per second over all clients together.",
    },
  ),
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
  seed: optional(integer(0, 4_294_967_295), {
    description:
      "Seeds who gets which profile and how old each cached answer is at the start; omitted = random, printed in the report.",
  }),
  resolver: withDefault(
    mix("resolverMix", RESOLVER_PROFILES),
    { ttl: 1 },
    {
      description:
        "How clients resolve the service name: ttl (own cache honouring the TTL), shared (a shared recursive " +
        "resolver per site), fixed (own cache for fixedCache whatever the TTL), none (no cache); or shares of them.",
    },
  ),
  fixedCache: withDefault(duration({ positive: true }), 30_000, {
    as: "fixedCacheMs",
    description: "How long the fixed resolver profile keeps an answer (the JVM's default is 30s).",
    check: onlyFor("resolver", "fixed", "the fixed profile's cache time"),
  }),
  connections: withDefault(
    mix("connectionMix", CONNECTION_PROFILES),
    { "keep-alive": 1 },
    {
      description:
        "How clients reuse connections: keep-alive (until an error), per-request, max-age (retired after " +
        "maxConnectionAge); or shares of them.",
    },
  ),
  maxConnectionAge: withDefault(duration({ positive: true }), 30_000, {
    as: "maxConnectionAgeMs",
    description: "How long a max-age connection lives before it is replaced (and the name resolved again).",
    check: onlyFor("connections", "max-age", "the max-age profile's connection lifetime"),
  }),
});

export const RECOVERY = mapping({
  wait: withDefault(duration({ positive: false }), 3_000, {
    as: "waitMs",
    description: "After healing, wait this long before the final reads.",
  }),
});
