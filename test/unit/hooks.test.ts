// Hooks: a real /bin/sh running each command (exit, output, deadline, environment), the program a
// command needs, what a status command's output means, and the checkers' verdict on measurements that
// rest on a failed hook (literal histories).
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import type { Drill } from "../../src/drill/types.ts";
import { hookEnvironment, type HookTopology } from "../../src/hooks/environment.ts";
import { firstProgram } from "../../src/hooks/requirements.ts";
import { OUTPUT_LIMIT, runHook } from "../../src/hooks/run.ts";
import { Events, Processes } from "../../src/history/types.ts";
import { parseStatus } from "../../src/managers/hooks/manager.ts";
import { processAlive } from "../../src/platform/processes.ts";

const TOPOLOGY: HookTopology = {
  drill: "staging-outage",
  cwd: process.cwd(),
  workspace: "/tmp/ws",
  toxiproxyUrl: "http://127.0.0.1:8474",
  regions: [
    { name: "us-east", role: "primary", databaseUrl: "postgres://a@db1/app", endpoint: "10.0.1.5:8080" },
    { name: "eu-west", role: "standby", databaseUrl: "postgres://a@db2/app", endpoint: "10.0.2.5:8080" },
  ],
};

const run = (command: string, timeoutMs = 5000, env: Record<string, string> = {}) =>
  runHook({ hook: "status", command, timeoutMs, env, cwd: process.cwd() });

describe("running a hook", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "hooks-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("returns the exit code and keeps stdout apart from stderr", async () => {
    const r = await run("echo us-east; echo 'noise' >&2; exit 3");
    assert.deepEqual(
      [r.ok, r.exitCode, r.stdout, r.stderr, r.error],
      [false, 3, "us-east\n", "noise\n", "exit 3"],
    );
    assert.equal((await run("true")).ok, true);
  });

  it("kills the command and everything it started once its deadline passes", async () => {
    const pids = path.join(dir, "pids");
    const r = await run(`sleep 30 & echo $! > ${pids}; sleep 30`, 300);
    assert.equal(r.timedOut, true);
    assert.equal(r.ok, false);
    assert.match(r.error ?? "", /^timed out after 300 ms/);
    assert.ok(r.durationMs < 3000, `took ${r.durationMs} ms`);
    const background = Number(await readFile(pids, "utf8"));
    assert.equal(processAlive(background), false, "the background sleep survived");
  });

  it("keeps the tail of a long output and says it was cut", async () => {
    const r = await run(`i=0; while [ $i -lt 1000 ]; do echo "line $i"; i=$((i+1)); done`);
    assert.equal(r.truncated, true);
    assert.equal(r.stdout.length, OUTPUT_LIMIT);
    assert.ok(r.stdout.endsWith("line 999\n"));
  });

  it("gives the command the drill's regions, roles, databases and the call's own subject", async () => {
    const env = hookEnvironment(TOPOLOGY, { hook: "promote", failedRegion: "us-east", candidate: "eu-west" });
    const r = await run(
      'echo "$FAILOVER_DRILL_NAME|$FAILOVER_DRILL_REGIONS|$FAILOVER_DRILL_PRIMARY|$FAILOVER_DRILL_FAILED_REGION|' +
        '$FAILOVER_DRILL_CANDIDATE|$FAILOVER_DRILL_REGION_EU_WEST_DATABASE_URL|$FAILOVER_DRILL_REGION_US_EAST_ROLE"',
      5000,
      env,
    );
    assert.equal(
      r.stdout,
      "staging-outage|us-east eu-west|us-east|us-east|eu-west|postgres://a@db2/app|primary\n",
    );
  });

  it("stops a command when the drill stops, and says so", async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const r = await runHook({
      hook: "promote",
      command: "sleep 30",
      timeoutMs: 10_000,
      env: {},
      cwd: process.cwd(),
      signal: stop.signal,
    });
    assert.deepEqual([r.ok, r.aborted, r.timedOut], [false, true, false]);
  });
});

describe("what a hook command needs and says", () => {
  it("names the program a command starts with, where it is a bare name", () => {
    const cases: Array<[string, string | undefined]> = [
      ["psql -XAtc 'select 1'", "psql"],
      ["PGCONNECT_TIMEOUT=2 patronictl -c /etc/p.yml list", "patronictl"],
      ["exec pg_autoctl show state", "pg_autoctl"],
      ["./hooks/status.sh", undefined],
      ["/usr/bin/psql -c x", undefined],
      ["echo us-east", undefined],
      ["$HOME/bin/status", undefined],
      ["[ -f /tmp/x ] && echo a", undefined],
    ];
    assert.deepEqual(
      cases.map(([command]) => firstProgram(command)),
      cases.map(([, program]) => program),
    );
  });

  it("reads a status command's first word as the primary region, and nothing or none as no primary", () => {
    const regions = ["us-east", "eu-west"];
    assert.deepEqual(parseStatus("\n  eu-west  (leader)\nrest\n", regions), { primary: "eu-west" });
    assert.deepEqual(parseStatus("", regions), { primary: null });
    assert.deepEqual(parseStatus("none\n", regions), { primary: null });
    assert.match(String(parseStatus("db-1\n", regions)), /^printed "db-1", not a region/);
  });
});

describe("measurements resting on a failed hook", () => {
  const drill: Drill = {
    ...sampleDrill(),
    objectives: [{ metric: "rpo.lostWrites", operator: "<=", limit: 10, source: "<= 10" }],
  };
  const hook = (ok: boolean, hook: string, extra: Record<string, unknown> = {}) => ({
    hook,
    command: `sh ${hook}.sh`,
    ok,
    exitCode: ok ? 0 : 1,
    ...(ok ? {} : { error: "exit 1" }),
    ...extra,
  });
  /** An outage of east at 5 s, declared down at 7.5 s, west writable at 8 s; `extra` adds hook events. */
  const summaryWith = (extra: (b: HistoryBuilder) => HistoryBuilder) => {
    const b = new HistoryBuilder()
      .runner(0, Events.topologyUp, {
        regions: [
          { name: "east", address: "127.0.1.1", role: "primary" },
          { name: "west", address: "127.0.2.1", role: "standby" },
        ],
      })
      .write(0, 1, 1000, "ok", 1005, "east")
      .faultStart(0, 5000, 5004, { type: "region-outage", region: "east" })
      .controller(7500, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
      .controller(8000, Events.writable, { region: "west", pollMs: 500 })
      .write(0, 2, 9000, "ok", 9005, "west");
    return analyze({
      drill,
      history: extra(b).build(),
      finalReads: [{ node: "west", reachable: true, role: "primary", ids: [1, 2] }],
      startedAt: "2026-01-01T00:00:00Z",
    });
  };

  it("measures a hooks drill whose hooks all succeeded like any other", () => {
    const s = summaryWith((b) =>
      b
        .controller(6000, Events.hook, hook(true, "status"))
        .controller(7700, Events.hook, hook(true, "promote")),
    );
    assert.deepEqual(
      [s.status, s.measurements.detection.ms, s.measurements.promotion.ms],
      ["pass", 2500, 500],
    );
  });

  it("makes detection inconclusive, and a passing drill inconclusive, when a status run failed before the decision", () => {
    const s = summaryWith((b) => b.controller(6000, Events.hook, hook(false, "status")));
    assert.equal(s.status, "inconclusive");
    assert.equal(s.measurements.detection.ms, null);
    assert.match(
      s.measurements.detection.reason ?? "",
      /failed hook run\(s\) \(status\); first: status hook exit 1/,
    );
    assert.equal(s.measurements.promotion.ms, 500);
  });

  it("makes promotion inconclusive when promote failed, and RPO when a hook fault's heal failed", () => {
    const s = summaryWith((b) =>
      b
        .controller(7700, Events.hook, hook(false, "promote"))
        .event(9500, Processes.nemesis, Events.hook, hook(false, "heal", { fault: 1 })),
    );
    assert.deepEqual(
      [s.measurements.detection.ms, s.measurements.promotion.ms, s.measurements.rpo.lostWrites],
      [2500, null, null],
    );
  });

  it("does not count a hook killed because the drill was stopping", () => {
    const s = summaryWith((b) => b.controller(9900, Events.hook, hook(false, "status", { aborted: true })));
    assert.equal(s.status, "pass");
  });
});
