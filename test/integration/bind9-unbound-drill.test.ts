// drills/bind9-unbound.yaml, shortened (2 s TTL, outage at 4 s of 14 s): the controller's DNS switch
// is an RFC 2136 update BIND logs, and clients, who ask their region's Unbound, keep getting the old
// address with a TTL counting down until Unbound's cached answer runs out, then the new one. No named
// or unbound process outlives the drill.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { bindLogTime, bindUpdateLines } from "../../src/dns/bind9/log.ts";
import { loadDrill } from "../../src/drill/load.ts";
import { parseHistory } from "../../src/history/recorder.ts";
import { Events, type Op } from "../../src/history/types.ts";
import { runDrill, type RunResult } from "../../src/runner/runner.ts";

const TTL_MS = 2000;

/** Live processes whose command line mentions `text`. */
async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir("/proc")).filter((n) => /^\d+$/.test(n))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) found.push(Number(pid));
  }
  return found;
}

const value = (op: Op): Record<string, unknown> => op.value as Record<string, unknown>;

describe("drills/bind9-unbound.yaml: BIND updated over RFC 2136, clients behind Unbound (integration)", function () {
  this.timeout(120_000);
  let out: string;
  let run: RunResult;
  let ops: Op[];
  let workspace: string;

  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "drill-bind9-unbound-"));
    const base = await loadDrill("drills/bind9-unbound.yaml");
    run = await runDrill(
      {
        ...base,
        controller: {
          ...base.controller,
          healthCheck: { intervalMs: 500, timeoutMs: 400, failureThreshold: 3 },
        },
        dns: { ...base.dns, ttlMs: TTL_MS },
        workload: { ...base.workload, clients: 30, ratePerSecond: 60, durationMs: 14_000 },
        faults: [{ type: "region-outage", atMs: 4000, region: "us-east", mode: "kill" }],
        recovery: { waitMs: 1000 },
        objectives: [],
      },
      // Kept, to read BIND's log; removed below.
      { out, keep: true },
    );
    ops = parseHistory(await readFile(path.join(run.reportDir, "history.jsonl"), "utf8"));
    workspace = String(value(ops.find((op) => op.f === Events.topologyUp)!)["workspace"]);
  });
  after(async () => {
    if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  });

  it("fails over, and BIND's log shows the switch as an update signed with the run's key", async () => {
    const update = ops.find((op) => op.f === Events.dnsUpdate);
    assert.ok(update, "the controller updated DNS");
    const address = String(value(update)["address"]);
    const lines = bindUpdateLines(await readFile(path.join(workspace, "dns", "bind9", "named.log"), "utf8"));
    const added = lines.find((l) => l.action === "add" && l.name === "api.drill.test" && l.data === address);
    assert.ok(added, `BIND logged no update to ${address}: ${JSON.stringify(lines)}`);
    assert.equal(added.key, "failover-drill-update");
    // The line before: the same request (same client port) deleted the old address.
    const before = lines[lines.indexOf(added) - 1];
    assert.deepEqual(
      [before?.action, before?.name, before?.client],
      ["delete-rrset", "api.drill.test", added.client],
    );
    // BIND applied it when the controller says the provider accepted it (one clock is local time).
    const acceptedAt = Date.parse(run.summary.startedAt) + update.time / 1e6;
    assert.ok(
      Math.abs(bindLogTime(added.at).getTime() - acceptedAt) < 1000,
      `${added.at} vs ${new Date(acceptedAt).toISOString()}`,
    );
  });

  it("gives clients the old address from Unbound's cache, its TTL counting down, until it runs out", () => {
    const update = ops.find((op) => op.f === Events.dnsUpdate)!;
    const newAddress = String(value(update)["address"]);
    const switched = ops.find(
      (op) => op.f === Events.authoritativeAnswer && value(op)["address"] === newAddress,
    );
    assert.ok(switched, "BIND answered the new address");
    const population = value(ops.find((op) => op.f === Events.population)!);
    const siteOf = new Map((population["clients"] as unknown[][]).map((row) => [row[0], row[1]]));
    const resolves = ops.filter((op) => op.f === Events.resolve && typeof op.process === "number");

    let sitesServedFromCache = 0;
    for (const site of ["us-east", "eu-west"]) {
      const here = resolves.filter((op) => siteOf.get(op.process) === site);
      const firstNew = here.find((op) => value(op)["address"] === newAddress);
      assert.ok(firstNew, `clients at ${site} resolved the new address`);
      const staleAfterSwitch = here.filter(
        (op) => op.time > switched.time && op.time < firstNew.time && value(op)["address"] !== newAddress,
      );
      if (staleAfterSwitch.length > 0) sitesServedFromCache++;
      const ttls = staleAfterSwitch.map((op) => Number(value(op)["ttlMs"]));
      assert.ok(
        ttls.every((ttl, i) => ttl <= TTL_MS && (i === 0 || ttl <= ttls[i - 1]!)),
        `a countdown: ${ttls.join(", ")}`,
      );
      // An answer with t s left was still cached t s later (Unbound counts whole seconds).
      for (const op of staleAfterSwitch) {
        assert.ok(
          firstNew.time >= op.time + Number(value(op)["ttlMs"]) * 1e6 - 100e6,
          `${site}: switched before the TTL ran out`,
        );
      }
      // And no later than one whole TTL (and Unbound's second) after BIND changed, with room for load.
      assert.ok(
        firstNew.time - switched.time <= (TTL_MS + 1000 + 1500) * 1e6,
        `${site}: ${(firstNew.time - switched.time) / 1e6} ms`,
      );
    }
    assert.ok(sitesServedFromCache > 0, "no client got the old address from Unbound after BIND changed");
    assert.equal(run.summary.measurements.dnsSwitch.clientsNotSwitched, 0);
  });

  it("leaves no named or unbound process running", async () => {
    assert.deepEqual(await processesMentioning(path.join(workspace, "dns")), []);
  });
});
