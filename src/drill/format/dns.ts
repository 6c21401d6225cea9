// The DNS name clients resolve, where its record lives (dns.server: the DNS provider) and what clients
// ask for it (dns.resolver: nothing in between, or real Unbound resolvers with their cache options).
import { formatDuration } from "../duration.ts";
import { section, withDefault, type FieldAt } from "../schema/fields.ts";
import { mapping } from "../schema/mapping.ts";
import { boolean, oneOf, pattern } from "../schema/scalars.ts";
import { refine } from "../schema/spec.ts";
import { DNS_PROVIDER_NAMES } from "../../dns/providers.ts";
import { DNS_RESOLVER_NAMES, RESOLVER_PLACEMENTS } from "../../dns/site-resolvers.ts";
import { UNBOUND_DEFAULTS } from "../../dns/unbound/config.ts";
import { duration } from "./units.ts";

export const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Whole seconds, as DNS carries them; kept in ms for uniformity. */
const seconds = refine(duration({ positive: false }), (ms, field, { reader }) => {
  if (ms % 1000 === 0) return ms;
  reader.report(field, `must be whole seconds (DNS carries the TTL in seconds), got ${formatDuration(ms)}`);
  return undefined;
});

/** A field that only means something with real resolvers is refused with resolver none. */
function onlyWithUnbound<T>(value: T | undefined, { field, values, scope }: FieldAt): T | undefined {
  if (field === undefined || values["resolver"] === undefined || values["resolver"] === "unbound")
    return value;
  scope.reader.report(
    field,
    `only applies with dns.resolver unbound (resolver is ${String(values["resolver"])})`,
  );
  return undefined;
}

const UNBOUND = mapping(
  {
    prefetch: withDefault(boolean(), UNBOUND_DEFAULTS.prefetch, {
      description: "Refresh an answer asked for in the last 10% of its TTL, before it expires (prefetch).",
    }),
    serveExpired: withDefault(boolean(), UNBOUND_DEFAULTS.serveExpired, {
      description: "Answer from an expired entry and refresh it in the background (serve-expired).",
    }),
    serveExpiredTtl: withDefault(seconds, UNBOUND_DEFAULTS.serveExpiredTtlMs, {
      as: "serveExpiredTtlMs",
      description: "How long after expiry an entry may still be served; 0s = no limit (serve-expired-ttl).",
    }),
    serveExpiredReplyTtl: withDefault(seconds, UNBOUND_DEFAULTS.serveExpiredReplyTtlMs, {
      as: "serveExpiredReplyTtlMs",
      description: "The TTL on a stale answer (serve-expired-reply-ttl).",
    }),
    serveExpiredClientTimeout: withDefault(
      duration({ positive: false }),
      UNBOUND_DEFAULTS.serveExpiredClientTimeoutMs,
      {
        as: "serveExpiredClientTimeoutMs",
        description:
          "Wait this long for a fresh answer before serving a stale one; 0s = stale at once (serve-expired-client-timeout).",
      },
    ),
    cacheMinTtl: withDefault(seconds, UNBOUND_DEFAULTS.cacheMinTtlMs, {
      as: "cacheMinTtlMs",
      description: "Keep every answer at least this long, whatever its TTL (cache-min-ttl).",
    }),
    cacheMaxTtl: withDefault(seconds, UNBOUND_DEFAULTS.cacheMaxTtlMs, {
      as: "cacheMaxTtlMs",
      description: "Keep no answer longer than this, whatever its TTL (cache-max-ttl).",
    }),
  },
  {
    description: "Unbound's cache options that change when clients see a DNS switch (dns.resolver unbound).",
  },
);

export const DNS = mapping({
  name: withDefault(pattern(DNS_NAME, "a lowercase DNS name like api.drill.test"), "api.drill.test", {
    description: "The name clients resolve.",
  }),
  ttl: withDefault(seconds, 5_000, {
    as: "ttlMs",
    description: "TTL of the answer, whole seconds; 0s allowed.",
  }),
  server: withDefault(oneOf(DNS_PROVIDER_NAMES), "embedded", {
    description:
      "Where the record lives (the DNS provider): embedded = the built-in authoritative server; bind9 = " +
      "BIND 9, changed with RFC 2136 updates signed with TSIG.",
  }),
  resolver: withDefault(oneOf(DNS_RESOLVER_NAMES), "none", {
    description:
      "What clients query: none = the DNS provider (resolver profiles modelled in process); unbound = a real " +
      "Unbound caching resolver per client site or shared, in front of every client.",
  }),
  resolverPlacement: withDefault(oneOf(RESOLVER_PLACEMENTS), "per-region", {
    description:
      "With resolver unbound: one resolver per region's client site (per-region) or one for all (shared).",
    check: onlyWithUnbound,
  }),
  unbound: section(UNBOUND, { check: onlyWithUnbound }),
});
