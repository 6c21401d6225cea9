// How a client finds and keeps the service's address (resolver profile) and reuses connections
// (connection profile): each a behaviour of a real client stack, so a drill can mix them as a fleet
// does. docs/drill-format.md (workload) says which real systems each one models.

export const RESOLVER_PROFILES = ["ttl", "shared", "fixed", "none"] as const;
export type ResolverProfile = (typeof RESOLVER_PROFILES)[number];

export const CONNECTION_PROFILES = ["keep-alive", "per-request", "max-age"] as const;
export type ConnectionProfile = (typeof CONNECTION_PROFILES)[number];

/** Shares of a population by profile, summing to 1. */
export type Mix<P extends string> = Partial<Record<P, number>>;

/** One line per profile for reports and docs. */
export const RESOLVER_DESCRIPTIONS: Record<ResolverProfile, string> = {
  ttl: "own cache honouring the TTL (a caching stub resolver: nscd, a client library's cache)",
  shared:
    "a shared recursive resolver per client site, kept warm by other traffic: same answer and expiry for all",
  fixed: "own cache that keeps answers a fixed time whatever the TTL (the JVM's networkaddress.cache.ttl)",
  none: "no cache: every new connection resolves (glibc without nscd)",
};

export const CONNECTION_DESCRIPTIONS: Record<ConnectionProfile, string> = {
  "keep-alive": "one pooled connection, re-established only after an error",
  "per-request": "a new connection for every request",
  "max-age":
    "a pooled connection retired after workload.maxConnectionAge (HikariCP maxLifetime, gRPC max age)",
};
