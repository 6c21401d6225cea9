// The dns section: where the record lives, what clients ask, and Unbound's cache options, read into
// milliseconds and refused where they cannot apply.
import assert from "node:assert/strict";
import { DrillValidationError, parseDrill } from "../../src/drill/load.ts";
import type { Drill } from "../../src/drill/types.ts";
import { UNBOUND_DEFAULTS } from "../../src/dns/unbound/config.ts";

const MINIMAL = `name: d
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
`;

const dnsOf = (yaml: string): Drill["dns"] => parseDrill(`${MINIMAL}dns:\n${yaml}`, "d.yaml").dns;

function problemsOf(yaml: string): string[] {
  try {
    parseDrill(`${MINIMAL}dns:\n${yaml}`, "d.yaml");
  } catch (err) {
    if (err instanceof DrillValidationError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  assert.fail("expected the drill to be rejected");
}

describe("dns fields", () => {
  it("has clients ask the embedded server directly by default, with Unbound's own defaults kept aside", () => {
    assert.deepEqual(dnsOf("  ttl: 5s\n"), {
      name: "api.drill.test",
      ttlMs: 5000,
      server: "embedded",
      resolver: "none",
      resolverPlacement: "per-region",
      unbound: UNBOUND_DEFAULTS,
    });
  });

  it("reads BIND with shared Unbound and each cache option", () => {
    const dns = dnsOf(
      "  server: bind9\n  resolver: unbound\n  resolverPlacement: shared\n" +
        "  unbound: { prefetch: true, serveExpired: true, serveExpiredTtl: 60s, serveExpiredReplyTtl: 5s,\n" +
        "    serveExpiredClientTimeout: 1800ms, cacheMinTtl: 30s, cacheMaxTtl: 1h }\n",
    );
    assert.deepEqual([dns.server, dns.resolver, dns.resolverPlacement], ["bind9", "unbound", "shared"]);
    assert.deepEqual(dns.unbound, {
      prefetch: true,
      serveExpired: true,
      serveExpiredTtlMs: 60_000,
      serveExpiredReplyTtlMs: 5000,
      serveExpiredClientTimeoutMs: 1800,
      cacheMinTtlMs: 30_000,
      cacheMaxTtlMs: 3_600_000,
    });
  });

  it("refuses resolver placement and Unbound options without resolver unbound", () => {
    assert.deepEqual(problemsOf("  resolverPlacement: shared\n  unbound: { prefetch: true }\n"), [
      "dns.resolverPlacement: only applies with dns.resolver unbound (resolver is none)",
      "dns.unbound: only applies with dns.resolver unbound (resolver is none)",
    ]);
  });

  it("wants true or false for switches and whole seconds for Unbound's TTLs", () => {
    assert.deepEqual(problemsOf("  resolver: unbound\n  unbound: { prefetch: yes, cacheMinTtl: 1500ms }\n"), [
      'dns.unbound.prefetch: expected true or false, got "yes"',
      "dns.unbound.cacheMinTtl: must be whole seconds (DNS carries the TTL in seconds), got 1.5s",
    ]);
  });
});
