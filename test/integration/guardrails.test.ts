// Guardrails on a real drill: a tiny --timeout ends the run inconclusive (exit 3) naming the phase,
// with nothing of it left running; a DNS server closed and an app killed mid-workload by the test
// (through runDrill's onPhase hook) end it inconclusive naming both, and `check` agrees.
import assert from "node:assert/strict";
import { access, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { exitCodeForStatus } from "../../src/cli/exit-codes.ts";
import { main } from "../../src/cli/main.ts";
import { readStoredRun, recheckRun } from "../../src/runner/stored-run.ts";
import { PHASES } from "../../src/runner/guard.ts";
import { ReportWriteError, runDrill } from "../../src/runner/runner.ts";
import type { LocalTopology } from "../../src/topology/local.ts";
import { processesMentioning, refused } from "./cli-process.ts";
import { shortOutageDrill } from "./short-drill.ts";

const DRILL = `name: guard-timeout
platform: local
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
database: { engine: postgres, replication: async }
controller:
  mode: automatic
  healthCheck: { interval: 500ms, timeout: 300ms, failureThreshold: 2 }
dns: { name: api.drill.test, ttl: 1s }
workload: { clients: 4, rate: 50/s, duration: 60s }
faults:
  - { at: 1s, type: region-outage, region: us-east }
recovery: { wait: 1s }
objectives:
  rto.max: "< 20s"
`;

describe("guardrails on a real drill (integration)", function () {
  this.timeout(180_000);
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "guardrails-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("stops a drill at its --timeout: exit 3, the phase named, evidence written, nothing left running", async () => {
    const file = path.join(tmp, "timeout.yaml");
    await writeFile(file, DRILL);
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["run", file, "--out", path.join(tmp, "out"), "--timeout", "10s", "--quiet"], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    assert.equal(code, 3, err.join("\n"));
    assert.match(
      err.join("\n"),
      /error: the drill timed out after 10s during '[a-z -]+'; everything it started/,
    );
    const dir = path.join(tmp, "out", "guard-timeout");
    const runDir = path.join(
      dir,
      (await readdir(dir)).find((d) => /^\d{8}T/.test(d))!,
    );
    const report = JSON.parse(await readFile(path.join(runDir, "report.json"), "utf8")) as {
      status: string;
      notes: string[];
    };
    assert.equal(report.status, "inconclusive");
    assert.ok(report.notes.some((n) => n.startsWith("the drill timed out after 10s during '")));
    const ops = (await readFile(path.join(runDir, "history.jsonl"), "utf8"))
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { f: string; value: Record<string, unknown> });
    assert.ok(ops.some((o) => o.f === "timeout"));
    // us-east's app died in the drill's own region outage: expected, so not an infrastructure failure.
    assert.deepEqual(
      ops.filter((o) => o.f === "infra-failure"),
      [],
    );
    const up = ops.find((o) => o.f === "topology-up")!.value as {
      workspace: string;
      proxyApi: string;
      regions: Array<{ address: string; dbPort: number }>;
    };
    await assert.rejects(access(up.workspace), "workspace removed");
    assert.deepEqual(await processesMentioning(up.workspace), [], "no PostgreSQL of the run left");
    const api = new URL(up.proxyApi);
    assert.ok(await refused(api.hostname, Number(api.port)), `the proxy server at ${up.proxyApi} is gone`);
    for (const r of up.regions)
      assert.ok(await refused(r.address, r.dbPort), `${r.address}:${r.dbPort} closed`);
  });

  it("ends inconclusive naming the DNS server and the app a test broke mid-workload; check agrees", async () => {
    const drill = { ...shortOutageDrill("guard-broken-infra", "kill"), faults: [] };
    drill.workload = { ...drill.workload, durationMs: 9000 };
    let dnsAt = "";
    const { summary, reportDir } = await runDrill(drill, {
      out: path.join(tmp, "broken"),
      onPhase: (phase, topology) => {
        if (phase !== PHASES.workload) return;
        dnsAt = `${topology.dns.endpoint.host}:${topology.dns.endpoint.port}`;
        setTimeout(() => {
          void topology.dns.close();
          void (topology as LocalTopology).apps.get("eu-west")?.kill("SIGKILL");
        }, 1000);
      },
    });
    assert.equal(summary.status, "inconclusive");
    assert.equal(exitCodeForStatus(summary.status), 3);
    const dnsNote = summary.notes.find((n) =>
      n.startsWith(`the DNS server (embedded, ${dnsAt}) stopped answering at `),
    );
    assert.ok(dnsNote, summary.notes.join("\n"));
    assert.match(dnsNote, /; not a fault of the drill \(the workload's figures rest on missing data\)$/);
    assert.ok(
      summary.notes.some((n) => /^the app of eu-west \(pid \d+\) exited \(signal SIGKILL\) at /.test(n)),
      summary.notes.join("\n"),
    );
    const recheck = recheckRun(await readStoredRun(reportDir));
    assert.equal(recheck.status, "inconclusive");
    assert.deepEqual(recheck.notes, summary.notes);
  });

  it("stops everything and names the file when the evidence cannot be written after the run", async () => {
    const drill = { ...shortOutageDrill("guard-unwritable", "kill"), faults: [] };
    drill.workload = { ...drill.workload, durationMs: 2000 };
    const out = path.join(tmp, "unwritable");
    let workspace = "";
    await assert.rejects(
      runDrill(drill, {
        out,
        onPhase: (phase, topology) => {
          workspace = topology.workspaceDir;
          // The run's directory turns into a file just before the final state is written.
          if (phase !== PHASES.finalRead) return;
          rmSync(path.join(out, drill.name), { recursive: true, force: true });
          writeFileSync(path.join(out, drill.name), "");
        },
      }),
      (err: Error) => {
        assert.ok(err instanceof ReportWriteError, String(err));
        assert.match(
          err.message,
          /^cannot write .*\/guard-unwritable\/\d{8}T\d{6}Z\/final-state\.json: ENOTDIR/,
        );
        return true;
      },
    );
    await assert.rejects(access(workspace), "workspace removed");
    assert.deepEqual(await processesMentioning(workspace), [], "no PostgreSQL of the run left");
  });
});
