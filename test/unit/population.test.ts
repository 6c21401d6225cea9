// The client population on literal data: exact counts per profile, repeatable from the seed, and the
// starting ages of caches and connections within their lifetimes.
import assert from "node:assert/strict";
import { apportion, buildPopulation, type PopulationSpec } from "../../src/workload/population.ts";
import { RESOLVER_PROFILES } from "../../src/workload/profiles.ts";
import { seededRandom, shuffled } from "../../src/workload/random.ts";

const SPEC: PopulationSpec = {
  clients: 200,
  sites: ["us-east", "eu-west"],
  resolver: { shared: 0.6, fixed: 0.3, none: 0.1 },
  connections: { "keep-alive": 0.5, "max-age": 0.5 },
  seed: 42,
  ttlMs: 5000,
  fixedCacheMs: 30_000,
  maxConnectionAgeMs: 20_000,
};

const count = (values: string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

describe("the client population", () => {
  it("gives each profile its share exactly, the largest remainders taking what rounding leaves", () => {
    assert.deepEqual(
      [...apportion(10, { ttl: 1 / 3, shared: 1 / 3, none: 1 / 3 }, RESOLVER_PROFILES)],
      [
        ["ttl", 4],
        ["shared", 3],
        ["none", 3],
      ],
    );
    assert.deepEqual(
      [...apportion(7, { ttl: 0.5, fixed: 0.5 }, RESOLVER_PROFILES)],
      [
        ["ttl", 4],
        ["fixed", 3],
      ],
    );
  });

  it("assigns 60/30/10 of 200 clients as 120/60/20 and splits connections in half", () => {
    const p = buildPopulation(SPEC);
    assert.deepEqual(count(p.clients.map((c) => c.resolver)), { shared: 120, fixed: 60, none: 20 });
    assert.deepEqual(count(p.clients.map((c) => c.connections)), { "keep-alive": 100, "max-age": 100 });
    assert.deepEqual(count(p.clients.map((c) => c.site)), { "us-east": 100, "eu-west": 100 });
  });

  it("is the same population for the same seed and a different one for another seed", () => {
    assert.deepEqual(buildPopulation(SPEC), buildPopulation({ ...SPEC }));
    const other = buildPopulation({ ...SPEC, seed: 43 });
    assert.notDeepEqual(
      other.clients.map((c) => [c.resolver, c.cacheAgeMs]),
      buildPopulation(SPEC).clients.map((c) => [c.resolver, c.cacheAgeMs]),
    );
  });

  it("starts every cache and connection somewhere within its lifetime, and nothing where there is none", () => {
    const p = buildPopulation(SPEC);
    for (const c of p.clients) {
      const life = c.resolver === "fixed" ? 30_000 : c.resolver === "ttl" ? 5000 : 0;
      assert.ok(
        c.cacheAgeMs >= 0 && c.cacheAgeMs <= Math.max(0, life - 1),
        `client ${c.client} cache ${c.cacheAgeMs}`,
      );
      if (c.connections === "max-age") assert.ok(c.connectionAgeMs >= 0 && c.connectionAgeMs < 20_000);
      else assert.equal(c.connectionAgeMs, 0);
    }
    const fixedAges = p.clients.filter((c) => c.resolver === "fixed").map((c) => c.cacheAgeMs);
    // Spread over the lifetime, not bunched: some young, some old.
    assert.ok(
      Math.min(...fixedAges) < 5000 && Math.max(...fixedAges) > 25_000,
      `${Math.min(...fixedAges)}..${Math.max(...fixedAges)}`,
    );
    assert.deepEqual(
      p.sharedResolvers.map((r) => r.site),
      ["us-east", "eu-west"],
    );
    for (const r of p.sharedResolvers) assert.ok(r.cacheAgeMs >= 0 && r.cacheAgeMs < 5000);
  });

  it("shuffles with the seeded generator so the order is repeatable", () => {
    const a = shuffled([1, 2, 3, 4, 5, 6, 7, 8], seededRandom(1));
    assert.deepEqual(a, shuffled([1, 2, 3, 4, 5, 6, 7, 8], seededRandom(1)));
    assert.deepEqual([...a].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
    const draws = Array.from({ length: 1000 }, seededRandom(9));
    assert.ok(draws.every((x) => x >= 0 && x < 1));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  });
});
