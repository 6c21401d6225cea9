// Patroni as the drill's failover manager, with real Patroni, etcd, Raft, HAProxy and PostgreSQL 15
// processes, under the tuned timings (ttl 10 s, loop_wait 2 s, retry_timeout 3 s) so a failover takes
// about 10 s. Patroni decides; the drill only injects the outage and watches.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/checkers/types.ts";
import { main } from "../../src/cli/main.ts";
import { NAMED_LOG } from "../../src/dns/bind9/index.ts";
import { bindUpdateLines } from "../../src/dns/bind9/log.ts";
import { UPDATE_KEY_NAME } from "../../src/dns/embedded.ts";
import { loadDrill } from "../../src/drill/load.ts";
import type { Drill } from "../../src/drill/types.ts";
import { parseHistory } from "../../src/history/recorder.ts";
import { Events, type Op } from "../../src/history/types.ts";
import { locate } from "../../src/platform/requirements.ts";
import { runDrill } from "../../src/runner/runner.ts";

/** Every live process whose command line names `dir` (our config files and data dirs all live there). */
async function processesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
      if (cmdline.includes(dir)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

interface Run {
  drill: Drill;
  summary: Summary;
  history: Op[];
  workspace: string;
}

/** `keep`: the workspace (configs, logs) stays for the test to read; the test removes it. */
async function run(drill: Drill, out: string, keep = false): Promise<Run> {
  const { summary, reportDir } = await runDrill(drill, { out, keep });
  const history = parseHistory(await readFile(path.join(reportDir, "history.jsonl"), "utf8"));
  const up = history.find((o) => o.f === Events.topologyUp)?.value as { workspace: string };
  return { drill, summary, history, workspace: up.workspace };
}

const valueOf = (op: Op): Record<string, unknown> => (op.value ?? {}) as Record<string, unknown>;
const byPatroni = (history: Op[], f: string): Op[] =>
  history.filter((o) => o.f === f && valueOf(o).by === "patroni");

describe("Patroni as the failover manager (integration)", function () {
  this.timeout(400_000);
  let out: string;
  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "patroni-reports-"));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  describe("a region outage with tuned timings, etcd and HAProxy, async replication", () => {
    let r: Run;
    before(async () => {
      r = await run(await loadDrill("drills/patroni-tuned.yaml"), out);
    });

    it("lets Patroni promote the standby: the drill fences and promotes nothing itself", () => {
      assert.deepEqual(
        byPatroni(r.history, Events.promote).map((o) => valueOf(o).region),
        ["eu-west"],
      );
      assert.equal(r.history.filter((o) => o.f === Events.fence).length, 0);
      assert.equal(r.summary.measurements.rpo.survivingPrimary, "eu-west");
      assert.equal(r.summary.measurements.rpo.survivingPrimaryRole, "primary");
    });

    it("measures detection and promotion from Patroni's events", () => {
      const [down] = byPatroni(r.history, Events.primaryDown);
      assert.equal(down?.time !== undefined && valueOf(down).region, "us-east");
      const { detection, promotion } = r.summary.measurements;
      assert.ok(detection.ms !== null && promotion.ms !== null, JSON.stringify({ detection, promotion }));
      const [low, high] = r.summary.predicted.detectionRangeMs;
      assert.ok(
        detection.ms >= low - detection.uncertaintyMs && detection.ms <= high + detection.uncertaintyMs,
        `detection ${detection.ms} ± ${detection.uncertaintyMs} outside [${low}, ${high}]`,
      );
    });

    it("becomes writable again inside the range Patroni's ttl and loop_wait predict", () => {
      const { detection, promotion } = r.summary.measurements;
      const writableMs = detection.ms! + promotion.ms!;
      const uncertainty = detection.uncertaintyMs + promotion.uncertaintyMs;
      const [low, high] = r.summary.predicted.writableRangeMs!;
      assert.ok(
        writableMs >= low - uncertainty && writableMs <= high + uncertainty,
        `writable ${writableMs} ± ${uncertainty} outside [${low}, ${high}]`,
      );
    });

    it("routes through the surviving region's HAProxy once it marks the new leader up", () => {
      const switches = r.history.filter(
        (o) => o.f === Events.routeSwitch && valueOf(o).router === "haproxy eu-west",
      );
      assert.deepEqual(
        switches.map((o) => valueOf(o).region),
        ["eu-west"],
      );
    });

    it("counts lost writes as for any drill", () => {
      const { rpo, rto } = r.summary.measurements;
      assert.ok(rpo.lostWrites !== null && rpo.ackedWrites > 0, JSON.stringify(rpo));
      assert.ok(rto.maxMs !== null && rto.clientsNotRecovered === 0, JSON.stringify(rto.maxMs));
      console.log(
        `      figures: patroni tuned: detection ${r.summary.measurements.detection.ms} ms, promotion ` +
          `${r.summary.measurements.promotion.ms} ms, rto p50 ${rto.p50Ms} max ${rto.maxMs} ms, ` +
          `lost ${rpo.lostWrites}/${rpo.ackedWrites}`,
      );
    });

    it("leaves no Patroni, PostgreSQL, etcd or HAProxy process behind", async () => {
      assert.deepEqual(await processesUnder(r.workspace), []);
    });
  });

  describe("synchronous mode on Patroni's Raft, clients on multi-host URLs", () => {
    let r: Run;
    before(async () => {
      const tuned = await loadDrill("drills/patroni-tuned.yaml");
      const { haproxy: _, ...controller } = tuned.controller;
      const drill: Drill = {
        ...tuned,
        name: "patroni-raft-sync",
        database: { ...tuned.database, replication: "sync" },
        controller: {
          ...controller,
          routing: "client",
          patroni: { ...tuned.controller.patroni!, dcs: "raft" },
        },
      };
      r = await run(drill, out);
    });

    it("fails over through the Raft DCS", () => {
      assert.deepEqual(
        byPatroni(r.history, Events.promote).map((o) => valueOf(o).region),
        ["eu-west"],
      );
      assert.ok(r.summary.measurements.detection.ms !== null);
    });

    it("loses no acknowledged write", () => {
      const { rpo } = r.summary.measurements;
      assert.equal(rpo.lostWrites, 0, JSON.stringify(rpo.lostIds));
      assert.ok(rpo.ackedWrites > 0);
    });

    it("leaves no process of the stack behind, the Raft witness included", async () => {
      assert.deepEqual(await processesUnder(r.workspace), []);
    });
  });

  describe("DNS routing: Patroni's on_role_change callback updates BIND with nsupdate, clients ask Unbound", () => {
    let r: Run;
    before(async () => {
      r = await run(await loadDrill("drills/patroni-dns.yaml"), out, true);
    });
    after(async () => {
      if (r !== undefined) await rm(r.workspace, { recursive: true, force: true });
    });

    it("re-points the name at the promoted region through the callback, not the drill", () => {
      assert.deepEqual(
        byPatroni(r.history, Events.promote).map((o) => valueOf(o).region),
        ["eu-west"],
      );
      const updates = byPatroni(r.history, Events.dnsUpdate);
      assert.deepEqual(
        updates.map((o) => valueOf(o).region),
        ["eu-west"],
      );
      const promoted = byPatroni(r.history, Events.promote)[0]!;
      assert.ok(updates[0]!.time > promoted.time, "the DNS update came before the promotion");
    });

    it("leaves the update in BIND's log as a signed RFC 2136 update from nsupdate", async () => {
      const log = await readFile(path.join(r.workspace, "dns", "bind9", NAMED_LOG), "utf8");
      const adds = bindUpdateLines(log).filter((l) => l.action === "add" && l.name === "api.drill.test");
      const euWest = r.history.find((o) => o.f === Events.dnsUpdate && valueOf(o).region === "eu-west");
      // The start-up record (the drill's own update), then the callback's, signed with the run's key.
      assert.equal(adds.length, 2, JSON.stringify(adds));
      assert.equal(adds[1]!.data, valueOf(euWest!).address);
      assert.equal(adds[1]!.key, UPDATE_KEY_NAME);
      const callbackLog = await readFile(
        path.join(r.workspace, "patroni", "eu-west", "dns-update.log"),
        "utf8",
      );
      assert.match(callbackLog, /on_role_change (master|primary): updating DNS/);
    });

    it("measures the DNS switch and every client following it", () => {
      const { dnsSwitch, rto } = r.summary.measurements;
      assert.ok(dnsSwitch.authoritativeMs !== null, JSON.stringify(dnsSwitch));
      assert.equal(dnsSwitch.clientsNotSwitched, 0, JSON.stringify(dnsSwitch.perClient));
      assert.equal(rto.clientsNotRecovered, 0);
      console.log(
        `      figures: patroni dns: detection ${r.summary.measurements.detection.ms} ms, promotion ` +
          `${r.summary.measurements.promotion.ms} ms, authoritative +${dnsSwitch.authoritativeMs} ms, ` +
          `last client +${dnsSwitch.clientLastMs} ms, rto max ${rto.maxMs} ms`,
      );
    });

    it("leaves no Patroni, etcd, BIND or Unbound process behind", async () => {
      assert.deepEqual(await processesUnder(r.workspace), []);
    });
  });

  it("exits 4 with the install command when patroni is not installed", async () => {
    // A search path holding everything the drill needs but patroni.
    const bin = await mkdtemp(path.join(os.tmpdir(), "no-patroni-"));
    for (const command of ["etcd", "haproxy", "unshare", "setpriv"]) {
      const found = locate({ command });
      if (found !== undefined) await symlink(found, path.join(bin, command));
    }
    const saved = process.env.FAILOVER_DRILL_PATH;
    process.env.FAILOVER_DRILL_PATH = [bin, "/usr/lib/postgresql/15/bin"].join(path.delimiter);
    const errors: string[] = [];
    try {
      const code = await main(["run", "drills/patroni-tuned.yaml", "--out", out], {
        out: () => {},
        err: (text) => errors.push(text),
      });
      assert.equal(code, 4, errors.join("\n"));
      assert.match(errors.join("\n"), /needs patroni \(Patroni\).*apt-get install -y patroni\b/s);
    } finally {
      if (saved === undefined) delete process.env.FAILOVER_DRILL_PATH;
      else process.env.FAILOVER_DRILL_PATH = saved;
      await rm(bin, { recursive: true, force: true });
    }
  });
});
