// The workload section's population fields: profile mixes, their options, the seed, and the limits
// that keep a drill within what the workload engine carries.
import assert from "node:assert/strict";
import { DrillValidationError, parseDrill } from "../../src/drill/load.ts";
import type { Drill } from "../../src/drill/types.ts";

const MINIMAL = `name: w
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
`;

const workloadOf = (yaml: string): Drill["workload"] =>
  parseDrill(`${MINIMAL}workload:\n${yaml}`, "w.yaml").workload;

function problemsOf(yaml: string): string[] {
  try {
    parseDrill(`${MINIMAL}workload:\n${yaml}`, "w.yaml");
  } catch (err) {
    if (err instanceof DrillValidationError)
      return err.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
    throw err;
  }
  assert.fail("expected the drill to be rejected");
}

describe("workload population fields", () => {
  it("gives every client its own TTL cache and one keep-alive connection by default, with no seed", () => {
    const w = workloadOf("  clients: 4\n");
    assert.deepEqual(w.resolver, { ttl: 1 });
    assert.deepEqual(w.connections, { "keep-alive": 1 });
    assert.equal(w.seed, undefined);
    assert.equal(w.fixedCacheMs, 30_000);
  });

  it("reads one profile name as every client, and shares in percent or as fractions", () => {
    const w = workloadOf(
      "  resolver: { shared: 60%, fixed: 30%, none: 0.1 }\n  connections: per-request\n  seed: 7\n",
    );
    assert.deepEqual(w.resolver, { shared: 0.6, fixed: 0.3, none: 0.1 });
    assert.deepEqual(w.connections, { "per-request": 1 });
    assert.equal(w.seed, 7);
  });

  it("refuses shares that do not add up to 100%, naming the total", () => {
    assert.deepEqual(problemsOf("  resolver: { shared: 60%, fixed: 30% }\n"), [
      "6:13 workload.resolver: the shares must add up to 100%, got 90%",
    ]);
  });

  it("suggests the profile meant for a misspelt one, in a name and in a mix", () => {
    assert.deepEqual(problemsOf("  resolver: shard\n  connections: { keepalive: 100% }\n"), [
      '6:13 workload.resolver: expected one of: ttl, shared, fixed, none, got "shard"; did you mean "shared"?',
      '7:18 workload.connections.keepalive: unknown field "keepalive"; did you mean "keep-alive"?',
    ]);
  });

  it("refuses a share that is not a percentage or a fraction", () => {
    assert.deepEqual(problemsOf("  resolver: { ttl: 150% }\n"), [
      '6:20 workload.resolver.ttl: must be from 0% to 100%, got "150%"',
    ]);
  });

  it("refuses options for a profile no client uses, as fields that would silently do nothing", () => {
    assert.deepEqual(problemsOf("  fixedCache: 10s\n  maxConnectionAge: 5s\n"), [
      "6:15 workload.fixedCache: only applies when some clients use resolver fixed (the fixed profile's cache time); remove it",
      "7:21 workload.maxConnectionAge: only applies when some clients use connections max-age (the max-age profile's connection lifetime); remove it",
    ]);
    const w = workloadOf("  resolver: { fixed: 50%, ttl: 50% }\n  fixedCache: 10s\n");
    assert.equal(w.fixedCacheMs, 10_000);
  });

  it("refuses more clients or a higher rate than the workload engine carries, saying the limit", () => {
    assert.deepEqual(problemsOf("  clients: 100000\n  rate: 5000/s\n"), [
      "6:12 workload.clients: must be at most 5000, got 100000",
      "7:9 workload.rate: must be at most 2000/s (what the workload engine carries on time on 2 cores), got 5000/s",
    ]);
  });
});
