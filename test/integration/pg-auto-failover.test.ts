// pg_auto_failover as the drill's failover manager, on real pg_autoctl and PostgreSQL 15 processes
// (Debian's pg-auto-failover-cli, postgresql-15-auto-failover, postgresql-15): the primary's region
// goes dark and pg_auto_failover, not the drill, promotes the standby; detection and promotion are
// measured from the monitor's own events; nothing of the stack outlives the drill. Tuned timings
// (drills/pg-auto-failover-tuned.yaml: 1 s checks, 5 s unhealthy, 5 s demote) keep it near a minute.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/checkers/types.ts";
import { main } from "../../src/cli/main.ts";
import { loadDrill } from "../../src/drill/load.ts";
import { parseHistory } from "../../src/history/recorder.ts";
import { Events, type Op } from "../../src/history/types.ts";
import { runDrill } from "../../src/runner/runner.ts";

/** Live processes whose command line or environment names `text` (the drill's workspace). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, "utf8")).replaceAll("\0", " ");
      const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
      if (cmdline.includes(text) || environ.includes(text)) found.push(`${entry} ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

const valueOf = (op: Op): Record<string, unknown> => (op.value ?? {}) as Record<string, unknown>;

describe("pg_auto_failover fails over a region outage (integration)", function () {
  this.timeout(300_000);
  let out: string;
  let summary: Summary;
  let history: Op[];

  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "drill-pgaf-"));
    const drill = await loadDrill("drills/pg-auto-failover-tuned.yaml");
    const result = await runDrill(drill, { out });
    summary = result.summary;
    history = parseHistory(await readFile(path.join(result.reportDir, "history.jsonl"), "utf8"));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  const controller = (f: string): Op[] => history.filter((op) => op.process === "controller" && op.f === f);

  it("lets pg_auto_failover promote eu-west, as its monitor's event table records", () => {
    const monitorEvents = controller(Events.managerEvent).map((op) => valueOf(op));
    assert.ok(
      monitorEvents.some((v) => v.node === "eu-west" && v.goal === "wait_primary"),
      "the monitor told eu-west to take writes",
    );
    const [down] = controller(Events.primaryDown);
    const [promote] = controller(Events.promote);
    assert.deepEqual(
      [valueOf(down!).region, valueOf(down!).by, valueOf(promote!).region, valueOf(promote!).by],
      ["us-east", "pg_auto_failover", "eu-west", "pg_auto_failover"],
    );
    assert.equal(valueOf(controller(Events.writable)[0]!).region, "eu-west");
    assert.equal(summary.nodes.find((n) => n.node === "eu-west")?.role, "primary");
  });

  it("measures detection and promotion from those events, writable again inside the predicted range", () => {
    const { detection, promotion } = summary.measurements;
    assert.ok(detection.ms !== null && promotion.ms !== null, JSON.stringify({ detection, promotion }));
    const [lower, upper] = summary.predicted.detectionRangeMs;
    assert.ok(
      detection.ms >= lower && detection.ms <= upper + detection.uncertaintyMs,
      `detection ${detection.ms}`,
    );
    const writableMs = detection.ms + promotion.ms;
    const range = summary.predicted.writableRangeMs;
    assert.ok(range !== undefined);
    assert.ok(
      writableMs >= range[0] && writableMs <= range[1] + detection.uncertaintyMs,
      `writable ${writableMs} ms after the fault, predicted ${range.join(" - ")}`,
    );
  });

  it("counts lost writes as for any drill: none under pg_auto_failover's synchronous replication", () => {
    assert.equal(summary.measurements.rpo.lostWrites, 0);
    assert.ok(summary.measurements.rpo.ackedWrites > 0);
    assert.equal(summary.measurements.rpo.survivingPrimary, "eu-west");
    assert.equal(summary.status, "pass");
  });

  it("leaves no keeper, PostgreSQL or monitor running", async () => {
    const up = history.find((op) => op.f === Events.topologyUp);
    const workspace = valueOf(up!).workspace as string;
    assert.match(workspace, /failover-drill-pg-auto-failover-tuned/);
    assert.deepEqual(await processesMentioning(workspace), []);
  });
});

describe("a pg_auto_failover drill on a machine without pg_autoctl", () => {
  const saved = process.env.FAILOVER_DRILL_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.FAILOVER_DRILL_PATH;
    else process.env.FAILOVER_DRILL_PATH = saved;
  });

  it("exits 4 with the install command before starting anything", async () => {
    // PostgreSQL's programs are there, pg_autoctl (in /usr/bin) is not.
    process.env.FAILOVER_DRILL_PATH = "/usr/lib/postgresql/15/bin";
    const out = await mkdtemp(path.join(os.tmpdir(), "drill-pgaf-missing-"));
    const err: string[] = [];
    try {
      const code = await main(["run", "drills/pg-auto-failover-tuned.yaml", "--out", out], {
        out: () => {},
        err: (t) => err.push(t),
      });
      assert.equal(code, 4);
      assert.match(err.join("\n"), /pg_autoctl \(pg_auto_failover's keeper and monitor\)/);
      assert.match(err.join("\n"), /apt-get install -y pg-auto-failover-cli/);
      assert.deepEqual(await readdir(out), []);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
