// A real Unbound next to the in-process model of a shared resolver (src/dns/shared-resolver.ts), on
// the same record change and TTL: Unbound keeps the old answer until its cached TTL has run out (in
// whole seconds, so up to a second later than the model), and its cache options move the switch as
// documented in docs/dns.md. Short TTLs keep this lean; npm run bench:dns measures longer ones.
import assert from "node:assert/strict";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { observeSwitch, type SwitchTrial } from "../../bench/dns-switch.ts";
import { embeddedDns } from "../../src/dns/embedded.ts";
import type { DnsProvider } from "../../src/dns/provider.ts";
import { queryA } from "../../src/dns/resolver.ts";
import { startSiteResolvers } from "../../src/dns/site-resolvers.ts";
import { UNBOUND_DEFAULTS, type UnboundSettings } from "../../src/dns/unbound/config.ts";

/** Live processes whose command line mentions `text`. */
async function processesMentioning(text: string): Promise<number> {
  let count = 0;
  for (const pid of (await readdir("/proc")).filter((n) => /^\d+$/.test(n))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) count++;
  }
  return count;
}

describe("a real Unbound against the in-process shared-resolver model (integration)", function () {
  this.timeout(60_000);
  let provider: DnsProvider;
  let trial: number;
  let dir: string;

  before(async () => {
    provider = await embeddedDns.start({ host: "127.0.0.1", zone: "drill.test" });
    trial = 0;
    dir = await mkdtemp(path.join(os.tmpdir(), "unbound-test-"));
    await chmod(dir, 0o755); // Unbound runs as the unprivileged user and must reach its directory
  });
  after(async () => {
    await provider?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const observe = (ttlSeconds: number, settings: Partial<UnboundSettings>, changeAfterMs = 0) =>
    observeSwitch({
      provider,
      zone: "drill.test",
      name: `trial-${trial++}.drill.test`,
      ttlSeconds,
      settings: { ...UNBOUND_DEFAULTS, ...settings },
      changeAfterMs,
    } satisfies SwitchTrial);

  it("switches when its cached TTL runs out, never before, at most a second after the model", async () => {
    const o = await observe(2, {}, 300);
    assert.ok(o.modelMs !== null && o.unboundMs !== null && o.ttlClientMs !== null, JSON.stringify(o));
    assert.ok(
      o.unboundMs >= o.remainingMs - 50,
      `Unbound switched ${o.unboundMs} ms after the change, before its TTL (${o.remainingMs} ms) ran out`,
    );
    assert.ok(o.modelMs >= o.remainingMs - 50, JSON.stringify(o));
    // Unbound counts TTLs in whole seconds: its entry lives until the second after the TTL ends.
    assert.ok(o.unboundMs <= o.modelMs + 1000 + 500, JSON.stringify(o));
    assert.equal(o.staleAnswers, 0);
  });

  it("serve-expired hands out a stale answer with its reply TTL, which a client's TTL cache then keeps", async () => {
    const o = await observe(1, { serveExpired: true, serveExpiredReplyTtlMs: 3000 });
    assert.ok(o.staleAnswers >= 1, JSON.stringify(o));
    assert.deepEqual(o.staleTtlSeconds, [3]);
    assert.ok(o.unboundMs !== null && o.ttlClientMs !== null, JSON.stringify(o));
    assert.ok(
      o.ttlClientMs >= o.unboundMs + 2000,
      `the ttl client kept the stale answer: ${JSON.stringify(o)}`,
    );
  });

  it("keeps an answer for cache-min-ttl beyond the record's TTL, and drops it at cache-max-ttl before", async () => {
    const [longer, shorter] = await Promise.all([
      observe(1, { cacheMinTtlMs: 3000 }),
      observe(4, { cacheMaxTtlMs: 1000 }),
    ]);
    assert.ok(longer.unboundMs !== null && longer.unboundMs >= 2900, JSON.stringify(longer));
    assert.ok(longer.modelMs !== null && longer.modelMs < 2000, JSON.stringify(longer));
    assert.ok(shorter.unboundMs !== null && shorter.unboundMs < 3000, JSON.stringify(shorter));
    assert.ok(shorter.modelMs !== null && shorter.modelMs >= 3900, JSON.stringify(shorter));
  });

  it("starts one resolver per region or one shared, all answering from the authority, and stops them all", async () => {
    await provider.setRecord("sites.drill.test", "127.0.1.1", 5000);
    const options = {
      resolver: "unbound",
      sites: ["us-east", "eu-west", "ap-south"],
      host: "127.0.0.1",
      zone: "drill.test",
      authority: provider.endpoint,
      settings: UNBOUND_DEFAULTS,
    } as const;
    const perRegion = await startSiteResolvers({
      ...options,
      placement: "per-region",
      dir: `${dir}/per-region`,
    });
    const shared = await startSiteResolvers({ ...options, placement: "shared", dir: `${dir}/shared` });
    try {
      const ports = (r: typeof perRegion) => new Set([...r.bySite.values()].map((e) => e.port));
      assert.equal(ports(perRegion).size, 3);
      assert.equal(ports(shared).size, 1);
      for (const endpoint of [...perRegion.bySite.values(), ...shared.bySite.values()]) {
        assert.equal((await queryA(endpoint, "sites.drill.test")).address, "127.0.1.1");
      }
      assert.equal(await processesMentioning(`${dir}/per-region/unbound-`), 3);
      assert.equal(await processesMentioning(`${dir}/shared/unbound-shared`), 1);
    } finally {
      await perRegion.close();
      await shared.close();
    }
    assert.equal(await processesMentioning(dir), 0);
  });
});
