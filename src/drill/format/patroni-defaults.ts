// Patroni's and HAProxy's defaults as the drill applies them, apart from the format module so the
// prediction (loaded by `failover-drill check`) does not load the drill format and its YAML reader.
import type { HaproxySpec, PatroniSpec } from "./patroni.ts";

/** controller.patroni when the drill leaves it out. */
export const DEFAULT_PATRONI: PatroniSpec = {
  ttlMs: 30_000,
  loopWaitMs: 10_000,
  retryTimeoutMs: 10_000,
  dcs: "etcd",
};
/** controller.haproxy when the drill leaves it out. */
export const DEFAULT_HAPROXY: HaproxySpec = { interMs: 3_000, fall: 3, rise: 2 };
