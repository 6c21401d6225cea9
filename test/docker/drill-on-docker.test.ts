// Whole drills on the docker platform (a Docker engine and the local images are needed: see
// engine.ts), run through the CLI as users run them, and compared with the same drill on the local
// platform. After every test nothing labelled by a drill may be left in docker.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/checkers/types.ts";
import { main } from "../../src/cli/main.ts";
import { DRILL_LABEL } from "../../src/platform/docker.ts";
import { skipWithoutDockerEngine } from "./engine.ts";
import { docker } from "./helpers.ts";

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `failover-drill run` and resolves when it exits; `onLine` sees stdout as it comes. */
function runCli(
  args: string[],
  onLine?: (stdout: string, child: ReturnType<typeof spawn>) => void,
): Promise<CliRun> {
  const child = spawn(process.execPath, ["bin/failover-drill.js", "run", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    onLine?.(stdout, child);
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

/** Every container and network any drill labelled: tests run one at a time, so all are ours. */
function drillLeftovers(): string {
  const filter = `label=${DRILL_LABEL}`;
  return docker("ps", "-aq", "--filter", filter) + docker("network", "ls", "-q", "--filter", filter);
}

async function summaryIn(out: string, drill: string): Promise<Summary> {
  const [run] = await readdir(path.join(out, drill));
  return JSON.parse(await readFile(path.join(out, drill, run!, "report.json"), "utf8")) as Summary;
}

describe("drills on the docker platform (docker)", function () {
  this.timeout(300_000);
  let out: string;

  before(async function () {
    skipWithoutDockerEngine(this);
    out = await mkdtemp(path.join(os.tmpdir(), "docker-drills-"));
  });

  afterEach(function () {
    if (out === undefined) return;
    assert.equal(drillLeftovers(), "", "docker ps -a / docker network ls show nothing of the drill");
  });

  after(async () => {
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  describe("region-outage.yaml on both platforms", () => {
    let local: Summary;
    let containers: Summary;

    before(async function () {
      const dockerRun = await runCli([
        "drills/region-outage.yaml",
        "--platform",
        "docker",
        "--out",
        `${out}/docker`,
      ]);
      assert.equal(dockerRun.code, 0, dockerRun.stdout + dockerRun.stderr);
      assert.equal(drillLeftovers(), "");
      const localRun = await runCli(["drills/region-outage.yaml", "--out", `${out}/local`]);
      assert.equal(localRun.code, 0, localRun.stdout + localRun.stderr);
      containers = await summaryIn(`${out}/docker`, "region-outage");
      local = await summaryIn(`${out}/local`, "region-outage");
      for (const [name, s] of [
        ["local", local],
        ["docker", containers],
      ] as const) {
        const m = s.measurements;
        console.log(
          `      ${name}: detection ${m.detection.ms} ms, promotion ${m.promotion.ms} ms, ` +
            `DNS authoritative ${m.dnsSwitch.authoritativeMs} ms, RTO max ${m.rto.maxMs} ms, ` +
            `lost ${m.rpo.lostWrites} of ${m.rpo.ackedWrites} (window ${m.rpo.lostWindowMs} ms)`,
        );
      }
    });

    it("passes on docker with the drill's objectives", () => {
      assert.equal(containers.status, "pass", JSON.stringify(containers.objectives));
      assert.equal(containers.drill.platform, "docker");
    });

    it("detects the outage within 1.5 s of the local figure (the probe phase is random: range 2-3.5 s)", () => {
      const a = local.measurements.detection.ms!;
      const b = containers.measurements.detection.ms!;
      assert.ok(Math.abs(a - b) <= 1500, `local ${a} ms, docker ${b} ms`);
      const [low, high] = containers.predicted.detectionRangeMs;
      assert.ok(b >= low - 250 && b <= high + 250, `docker detection ${b} outside [${low}, ${high}]`);
    });

    it("promotes in under 2 s on both, within 1.5 s of each other", () => {
      const a = local.measurements.promotion.ms!;
      const b = containers.measurements.promotion.ms!;
      assert.ok(a < 2000 && b < 2000, `local ${a} ms, docker ${b} ms`);
      assert.ok(Math.abs(a - b) <= 1500, `local ${a} ms, docker ${b} ms`);
    });

    it("switches DNS within 500 ms of the new primary being writable on both", () => {
      for (const s of [local, containers]) {
        const ms = s.measurements.dnsSwitch.authoritativeMs;
        assert.ok(ms !== null && ms <= 500, `${s.drill.platform}: ${ms}`);
        assert.equal(s.measurements.dnsSwitch.clientsNotSwitched, 0);
      }
    });

    it("measures a client-observed RTO within 2.5 s of the local one", () => {
      const a = local.measurements.rto.maxMs!;
      const b = containers.measurements.rto.maxMs!;
      assert.ok(Math.abs(a - b) <= 2500, `local ${a} ms, docker ${b} ms`);
      assert.equal(containers.measurements.rto.clientsNotRecovered, 0);
    });

    it("re-checks the docker run with failover-drill check to exactly its report.json", async () => {
      const [run] = await readdir(path.join(out, "docker", "region-outage"));
      const dir = path.join(out, "docker", "region-outage", run!);
      const checked = path.join(out, "docker-checked");
      const lines: string[] = [];
      const code = await main(["check", dir, "--out", checked], {
        out: (t) => lines.push(t),
        err: (t) => lines.push(t),
      });
      assert.equal(code, 0, lines.join("\n"));
      const again = JSON.parse(await readFile(path.join(checked, "report.json"), "utf8")) as Summary;
      assert.deepEqual(again, containers);
    });

    it("loses at most a few acknowledged writes on both, within a window under 1 s", () => {
      for (const s of [local, containers]) {
        const { lostWrites, lostWindowMs, ackedWrites, unexpectedWrites } = s.measurements.rpo;
        assert.ok(ackedWrites > 3000, `${s.drill.platform}: acked ${ackedWrites}`);
        assert.ok(lostWrites !== null && lostWrites <= 50, `${s.drill.platform}: lost ${lostWrites}`);
        assert.ok((lostWindowMs ?? 0) < 1000, `${s.drill.platform}: window ${lostWindowMs}`);
        assert.equal(unexpectedWrites, 0);
        assert.equal(s.measurements.splitBrain.detected, false);
      }
    });
  });

  for (const mode of ["stop", "pause", "network"] as const) {
    it(`fails over and heals a ${mode} outage of the primary region's containers`, async () => {
      const file = path.join(out, `outage-${mode}.yaml`);
      await writeFile(file, shortOutage(`outage-${mode}`, mode));
      // One of the runs keeps its workspace, which then holds every container's log.
      const keep = mode === "stop";
      const run = await runCli([file, "--out", out, ...(keep ? ["--keep"] : [])]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`fault healed: region-outage of east \\(${mode}\\)`));
      if (keep) {
        const workspace = /workspace (\S+)\)/.exec(run.stdout)?.[1];
        assert.ok(workspace, run.stdout);
        try {
          const logs = (await readdir(workspace)).filter((f) => f.endsWith(".log")).sort();
          assert.deepEqual(logs, [
            "app-east.log",
            "app-west.log",
            "db-east.log",
            "db-west.log",
            "toxiproxy.log",
          ]);
          assert.match(
            await readFile(path.join(workspace, "db-east.log"), "utf8"),
            /database system is ready/,
          );
        } finally {
          await rm(workspace, { recursive: true, force: true });
        }
      }
      const s = await summaryIn(out, `outage-${mode}`);
      assert.deepEqual(
        s.notes.filter((n) => n.startsWith("fault error")),
        [],
        "every heal worked",
      );
      const m = s.measurements;
      assert.ok(m.promotion.ms !== null && m.promotion.ms < 3000, `promotion ${m.promotion.ms}`);
      assert.equal(m.rto.clientsNotRecovered, 0);
      const oldPrimary = s.nodes.find((n) => n.node === "east");
      // Nothing rewinds the old primary: whether it was restarted, thawed or reconnected, it is
      // back as a (fenced) primary, and the final read reached it.
      assert.equal(oldPrimary?.reachable, true, JSON.stringify(s.nodes));
      assert.equal(oldPrimary?.role, "primary");
    });
  }

  it("runs drills/byo-app-docker.yaml with the bring-your-own app image and counts its writes", async () => {
    const run = await runCli(["drills/byo-app-docker.yaml", "--out", out]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const s = await summaryIn(out, "byo-app-docker");
    assert.equal(s.drill.app.image, "failover-drill/byo-app:bookworm");
    // The reference app answers 404 on /api/orders/<id>: every acknowledgement came from the BYO app.
    const { ackedWrites, lostWrites } = s.measurements.rpo;
    assert.ok(ackedWrites > 1000, `acked ${ackedWrites}`);
    assert.ok(lostWrites !== null && lostWrites <= 50, `lost ${lostWrites}`);
    assert.ok(s.measurements.promotion.ms !== null, "the standby was promoted");
    assert.equal(s.measurements.rto.clientsNotRecovered, 0);
  });

  it("leaves no container or network behind when SIGTERM arrives mid-drill", async () => {
    let signalled = false;
    const run = await runCli(
      ["drills/region-outage.yaml", "--platform", "docker", "--out", `${out}/sigterm`],
      (stdout, child) => {
        // Interrupt once the fault is in place: the hardest moment to clean up after.
        if (!signalled && stdout.includes("fault injected")) {
          signalled = true;
          assert.notEqual(drillLeftovers(), "", "the drill's containers run before the signal");
          child.kill("SIGTERM");
        }
      },
    );
    assert.ok(signalled, run.stdout + run.stderr);
    assert.equal(run.code, 130, run.stdout + run.stderr);
    assert.match(run.stderr, /everything it started has been stopped/);
    assert.equal(drillLeftovers(), "");
  });

  it("exits 4 naming the image and the build script when an image is missing, leaving nothing", async () => {
    const file = path.join(out, "missing-image.yaml");
    await writeFile(
      file,
      shortOutage("missing-image", "kill").replace(
        "platform: docker",
        "platform: docker\ndocker: { images: { postgres: failover-drill/no-such-image:0 } }",
      ),
    );
    const run = await runCli([file, "--out", out]);
    assert.equal(run.code, 4, run.stdout + run.stderr);
    assert.match(run.stderr, /failover-drill\/no-such-image:0/);
    assert.match(run.stderr, /build-local-images\.sh/);
  });
});

/** A short two-region drill on docker whose primary region fails with `mode` 5 s in. */
function shortOutage(name: string, mode: string): string {
  return `name: ${name}
description: the primary region's containers fail (${mode}) and the standby takes over
platform: docker
regions:
  - { name: east, role: primary }
  - { name: west, role: standby }
database: { engine: postgres, replication: async }
network: { interRegionLatency: 10ms }
controller:
  mode: automatic
  healthCheck: { interval: 1s, timeout: 500ms, failureThreshold: 2 }
dns: { name: api.drill.test, ttl: 2s }
workload: { clients: 2, rate: 100/s, duration: 14s, requestTimeout: 1s }
faults:
  - { at: 5s, type: region-outage, region: east, mode: ${mode} }
recovery: { wait: 2s }
objectives:
  rpo.lostWrites: "<= 100"
  rto.max: "< 15s"
`;
}
