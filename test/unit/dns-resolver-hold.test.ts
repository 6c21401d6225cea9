// How long resolvers and client caches may keep an old answer, as the predicted ranges use it: the
// TTL without real resolvers; behind Unbound its clamped cache time plus its whole-second countdown.
import assert from "node:assert/strict";
import { clientHoldMs, resolverHoldMs } from "../../src/dns/site-resolvers.ts";
import { UNBOUND_DEFAULTS } from "../../src/dns/unbound/config.ts";

const none = { ttlMs: 5000, resolver: "none", unbound: UNBOUND_DEFAULTS } as const;
const unbound = (settings: Partial<typeof UNBOUND_DEFAULTS> = {}) =>
  ({ ttlMs: 5000, resolver: "unbound", unbound: { ...UNBOUND_DEFAULTS, ...settings } }) as const;

describe("resolver hold times", () => {
  it("is the TTL without real resolvers, as the profiles model it", () => {
    assert.equal(resolverHoldMs(none), 5000);
    assert.deepEqual(
      ["shared", "ttl", "fixed", "none"].map((p) => clientHoldMs(none, p, 30_000)),
      [5000, 5000, 30_000, 0],
    );
  });

  it("adds Unbound's second to the TTL, clamped by cacheMinTtl and cacheMaxTtl", () => {
    assert.equal(resolverHoldMs(unbound()), 6000);
    assert.equal(resolverHoldMs(unbound({ cacheMinTtlMs: 30_000 })), 31_000);
    assert.equal(resolverHoldMs(unbound({ cacheMaxTtlMs: 3000 })), 4000);
  });

  it("stacks a client's own cache on Unbound's, and a stale answer's TTL on a TTL cache", () => {
    assert.deepEqual(
      ["shared", "ttl", "fixed", "none"].map((p) => clientHoldMs(unbound(), p, 30_000)),
      [6000, 6000, 36_000, 6000],
    );
    const stale = unbound({ serveExpired: true, serveExpiredReplyTtlMs: 30_000 });
    assert.equal(clientHoldMs(stale, "ttl", 30_000), 36_000);
    assert.equal(clientHoldMs(stale, "shared", 30_000), 6000);
  });
});
