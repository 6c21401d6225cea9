// A short two-region drill built in code (not loaded from YAML), for integration tests of outage
// modes and apps on the local platform. Not a test file: importing it runs no suite.
import { REFERENCE_APP_ENDPOINTS, type AppSpec, type Drill, type OutageMode } from "../../src/drill/types.ts";
import { NO_RESOLVER } from "../../src/dns/site-resolvers.ts";

/** The reference app's settings, as the loader fills them in when a drill file has no `app`. */
export const REFERENCE_APP: AppSpec = { workingDir: process.cwd(), ...REFERENCE_APP_ENDPOINTS, env: {} };

/**
 * us-east (primary) and eu-west (standby), async replication, a 500 ms x 3 health check, a 1 s TTL
 * and a 12 s workload at 100 writes/s; us-east has an outage of `mode` from 3 s on until the end.
 */
export function shortOutageDrill(name: string, mode: OutageMode, app: AppSpec = REFERENCE_APP): Drill {
  return {
    name,
    description: `us-east ${mode} outage`,
    platform: "local",
    docker: {},
    app,
    regions: [
      { name: "us-east", role: "primary" },
      { name: "eu-west", role: "standby" },
    ],
    database: {
      engine: "postgres",
      topology: "primary-standby",
      replication: "async",
      synchronousCommit: "on",
      syncStandbys: 1,
      settings: {},
    },
    network: { interRegionLatencyMs: 5, pairs: [] },
    controller: {
      mode: "dns",
      manager: "builtin",
      healthCheck: { intervalMs: 500, timeoutMs: 400, failureThreshold: 3 },
      onCallDelayMs: 0,
    },
    dns: { name: "api.drill.test", ttlMs: 1000, server: "embedded", ...NO_RESOLVER },
    workload: {
      keys: 16,
      clients: 4,
      ratePerSecond: 100,
      durationMs: 12_000,
      requestTimeoutMs: 1000,
      retry: { attempts: 1, backoffMs: 0 },
      resolver: { ttl: 1 },
      fixedCacheMs: 30_000,
      connections: { "keep-alive": 1 },
      maxConnectionAgeMs: 30_000,
    },
    faults: [{ type: "region-outage", atMs: 3000, region: "us-east", mode }],
    recovery: { waitMs: 1000 },
    objectives: [],
  };
}
