// Failover modes on the same topology: DNS vs client-side failover, manual promotion after an on-call
// delay, and external mode where something else (here: the test, acting as an HA manager) promotes.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { clientOpIntervalMs } from "../../src/checkers/history.ts";
import type { Summary } from "../../src/checkers/types.ts";
import { loadDrill } from "../../src/drill/load.ts";
import type { ControllerMode, Drill } from "../../src/drill/types.ts";
import { parseHistory } from "../../src/history/recorder.ts";
import type { Op } from "../../src/history/types.ts";
import { runDrill } from "../../src/runner/runner.ts";
import { sleep } from "../../src/util/abort.ts";

async function shortDrill(
  mode: ControllerMode,
  overrides: Partial<Drill["controller"]> = {},
): Promise<Drill> {
  const base = await loadDrill("drills/region-outage.yaml");
  return {
    ...base,
    name: `modes-${mode}`,
    // As the loader reads `mode: external`: the external manager.
    controller: {
      ...base.controller,
      mode,
      manager: mode === "external" ? "external" : "builtin",
      ...overrides,
    },
    workload: { ...base.workload, durationMs: 16_000 },
    faults: [{ type: "region-outage", atMs: 4_000, region: "us-east", mode: "kill" }],
    objectives: [],
  };
}

describe("failover modes (integration)", function () {
  this.timeout(120_000);
  let out: string;
  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "drill-modes-"));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  describe("client-side failover against DNS failover", () => {
    let dns: Summary;
    let client: Summary;
    let dnsHistory: Op[];
    let clientHistory: Op[];
    const historyOf = async (reportDir: string): Promise<Op[]> =>
      parseHistory(await readFile(path.join(reportDir, "history.jsonl"), "utf8"));
    before(async () => {
      const d = await runDrill(await shortDrill("dns"), { out });
      const c = await runDrill(await shortDrill("client"), { out });
      dns = d.summary;
      client = c.summary;
      dnsHistory = await historyOf(d.reportDir);
      clientHistory = await historyOf(c.reportDir);
    });

    it("recovers clients faster without waiting for the DNS TTL", () => {
      const dnsRto = dns.measurements.rto.maxMs;
      const clientRto = client.measurements.rto.maxMs;
      assert.ok(dnsRto !== null && clientRto !== null, `dns ${dnsRto}, client ${clientRto}`);
      assert.ok(clientRto < dnsRto, `client ${clientRto} should beat dns ${dnsRto}`);
      const ttl = dns.drill.dns.ttlMs;
      const interval = dns.drill.controller.healthCheck.intervalMs;
      assert.ok(dnsRto - clientRto <= ttl + interval, `difference ${dnsRto - clientRto}`);
    });

    it("recovers client-side within detection plus promotion plus one retry and the client's next write", () => {
      const { detection, promotion, rto } = client.measurements;
      assert.ok(detection.ms !== null && promotion.ms !== null && rto.maxMs !== null);
      const interval = client.drill.controller.healthCheck.intervalMs;
      // Each of the population's clients writes once per clients/rate on average, so the last one to
      // recover may wait that long after the promotion for its turn.
      const nextWrite = clientOpIntervalMs(client.drill);
      assert.ok(
        rto.maxMs <= detection.ms + promotion.ms + interval + nextWrite,
        `rto ${rto.maxMs}, detection ${detection.ms}, promotion ${promotion.ms}, next write ${nextWrite}`,
      );
    });

    it("leaves DNS untouched in client mode and switches it in dns mode", () => {
      assert.equal(clientHistory.filter((o) => o.f === "dns-update").length, 0);
      assert.equal(dnsHistory.filter((o) => o.f === "dns-update").length, 1);
    });
  });

  describe("manual promotion", () => {
    it("waits the on-call delay between detection and promotion", async () => {
      const { summary } = await runDrill(await shortDrill("manual", { onCallDelayMs: 3000 }), { out });
      const promotion = summary.measurements.promotion.ms;
      assert.ok(promotion !== null && promotion >= 3000 && promotion < 5000, `promotion ${promotion}`);
    });
  });

  describe("external mode", () => {
    it("observes a promotion made by something else from the databases' roles", async () => {
      const drill = await shortDrill("external");
      const run = runDrill(drill, { out });
      // Act as the HA manager: after the outage starts, wait 2 s, then promote eu-west ourselves.
      const historyFile = async (): Promise<string> => {
        const dir = path.join(out, drill.name);
        const { readdir } = await import("node:fs/promises");
        const stamps = (await readdir(dir).catch(() => [] as string[])).sort();
        return path.join(dir, stamps.at(-1) ?? "none", "history.jsonl");
      };
      let promotedAtNs: number | undefined;
      for (let i = 0; i < 300 && promotedAtNs === undefined; i++) {
        await sleep(100);
        const ops = parseHistory(await readFile(await historyFile(), "utf8").catch(() => ""));
        const outage = ops.find((o) => o.f === "fault-start" && o.type === "ok");
        const up = ops.find((o) => o.f === "topology-up")?.value as
          { regions: { name: string; address: string; dbPort: number }[] } | undefined;
        if (outage === undefined || up === undefined) continue;
        await sleep(2000);
        const standby = up.regions.find((r) => r.name === "eu-west")!;
        const client = new pg.Client({ host: standby.address, port: standby.dbPort, user: "postgres" });
        await client.connect();
        await client.query("SELECT pg_promote(true, 30)");
        await client.end();
        promotedAtNs = outage.time + 2e9;
      }
      const { summary } = await run;
      assert.ok(promotedAtNs !== undefined, "the test promoted the standby");
      assert.equal(summary.measurements.detection.ms, null);
      const promotion = summary.measurements.promotion.ms;
      assert.ok(promotion !== null && promotion >= 1900 && promotion <= 3500, `promotion ${promotion}`);
      assert.ok(summary.measurements.rto.maxMs !== null, "clients recovered client-side");
    });
  });
});
