// The lifeline's pure decisions on literal data: what carries a run's marker, when its runner counts
// as dead, which processes go with a marked one, and how markers, labels and listings are written.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseRows } from "../../src/lifeline/docker-labelled.ts";
import { reaperLaunchArgs } from "../../src/lifeline/lifeline.ts";
import {
  markedEnv,
  newRunId,
  RUN_LABELS,
  runLabels,
  WORKSPACE_MARKER_FILE,
  withRun,
  type RunContext,
} from "../../src/lifeline/marker.ts";
import {
  judge,
  markerFromEnviron,
  markerFromLabels,
  parseWorkspaceMarker,
  runnerState,
  topmost,
  withDescendants,
  type RunnerProbe,
} from "../../src/lifeline/ownership.ts";
import { leftoverSummary } from "../../src/lifeline/warn.ts";
import {
  claimWorkspace,
  markWorkspaceKept,
  readWorkspaceMarker,
} from "../../src/lifeline/workspace-marker.ts";
import { leftoverLines } from "../../src/cli/handlers/cleanup.ts";

const HOST = "ci-box";
/** pid 100 runs since tick 5000; nothing else runs. */
const probe: RunnerProbe = (pid) => (pid === 100 ? { start: 5000 } : undefined);
const RUN = { run: "20250101T000000Z-abc123", pid: 100, start: 5000, host: HOST };

describe("lifeline: whose runner is gone", () => {
  it("counts a runner alive while its pid runs with the start time it was marked with", () => {
    assert.deepEqual(runnerState(RUN, HOST, probe), { state: "alive" });
    assert.deepEqual(runnerState({ ...RUN, start: undefined }, HOST, probe), { state: "alive" });
  });

  it("counts a runner dead when its pid is gone or now belongs to a newer process", () => {
    assert.equal(runnerState({ ...RUN, pid: 101 }, HOST, probe).state, "dead");
    assert.deepEqual(runnerState({ ...RUN, start: 4000 }, HOST, probe), {
      state: "dead",
      why: "runner pid 100 now belongs to another process",
    });
  });

  it("does not judge a runner on another host, even if its pid is free here", () => {
    assert.equal(runnerState({ ...RUN, pid: 101, host: "other" }, HOST, probe).state, "elsewhere");
    assert.equal(judge({ ...RUN, pid: 101, host: "other" }, HOST, probe).leftover, false);
  });

  it("calls something a leftover only with a marker and a dead runner", () => {
    assert.equal(judge(undefined, HOST, probe).leftover, false);
    assert.equal(judge(RUN, HOST, probe).leftover, false);
    assert.deepEqual(judge({ ...RUN, pid: 7 }, HOST, probe), { leftover: true, why: "runner pid 7 is gone" });
  });
});

describe("lifeline: reading markers", () => {
  it("reads a process's marker from its NUL-separated environment", () => {
    const environ = [
      "PATH=/usr/bin",
      "FAILOVER_DRILL_RUN=20250101T000000Z-abc123",
      "FAILOVER_DRILL_RUNNER_PID=100",
      "FAILOVER_DRILL_RUNNER_START=5000",
      `FAILOVER_DRILL_HOST=${HOST}`,
      "",
    ].join("\0");
    assert.deepEqual(markerFromEnviron(environ), RUN);
  });

  it("finds no marker in an environment without one, with part of one, or with a malformed one", () => {
    assert.equal(markerFromEnviron("PATH=/usr/bin\0HOME=/root\0"), undefined);
    assert.equal(markerFromEnviron("FAILOVER_DRILL_RUN=x\0"), undefined);
    assert.equal(markerFromEnviron("FAILOVER_DRILL_RUNNER_PID=100\0"), undefined);
    // Without the runner's host: a process in a container, whose runner pid means nothing here.
    assert.equal(markerFromEnviron("FAILOVER_DRILL_RUN=x\0FAILOVER_DRILL_RUNNER_PID=5\0"), undefined);
    assert.equal(
      markerFromEnviron("FAILOVER_DRILL_RUN=x\0FAILOVER_DRILL_RUNNER_PID=0\0FAILOVER_DRILL_HOST=h\0"),
      undefined,
    );
    assert.equal(
      markerFromEnviron("FAILOVER_DRILL_RUN=../x\0FAILOVER_DRILL_RUNNER_PID=5\0FAILOVER_DRILL_HOST=h\0"),
      undefined,
    );
    // A PostgreSQL backend's environment after it wrote its process title over it.
    assert.equal(markerFromEnviron("postgres: eu-west: checkpointer \0\0\0\0"), undefined);
  });

  it("reads a container's marker from its labels, host included, and none without the host", () => {
    const labels = {
      [RUN_LABELS.run]: RUN.run,
      [RUN_LABELS.runnerPid]: "100",
      [RUN_LABELS.runnerStart]: "5000",
      [RUN_LABELS.host]: HOST,
      "failover-drill.drill": "region-outage-abc",
    };
    assert.deepEqual(markerFromLabels(labels), RUN);
    assert.equal(markerFromLabels({ ...labels, [RUN_LABELS.host]: "" }), undefined);
    assert.equal(markerFromLabels({ "failover-drill.drill": "region-outage-abc" }), undefined);
  });

  it("accepts a workspace marker only for the directory it names", () => {
    const text = JSON.stringify({
      ...RUN,
      startedAt: "2025-01-01T00:00:00Z",
      workspace: "/dev/shm/failover-drill-a-X",
    });
    assert.deepEqual(parseWorkspaceMarker(text, "/dev/shm/failover-drill-a-X"), {
      ...RUN,
      startedAt: "2025-01-01T00:00:00Z",
      workspace: "/dev/shm/failover-drill-a-X",
    });
    assert.equal(parseWorkspaceMarker(text, "/home/me/important"), undefined);
    assert.equal(parseWorkspaceMarker("not json", "/dev/shm/failover-drill-a-X"), undefined);
    assert.equal(parseWorkspaceMarker("[1]", "/dev/shm/failover-drill-a-X"), undefined);
  });

  it("reads docker's tab-separated listing into labels, dropping empty and missing ones", () => {
    const rows = parseRows(
      "container",
      `abc\tfailover-drill-x-db\tpaused\t${RUN.run}\t100\t5000\t${HOST}\t<no value>\n\n`,
    );
    assert.deepEqual(rows, [
      {
        kind: "container",
        id: "abc",
        name: "failover-drill-x-db",
        state: "paused",
        labels: {
          [RUN_LABELS.run]: RUN.run,
          [RUN_LABELS.runnerPid]: "100",
          [RUN_LABELS.runnerStart]: "5000",
          [RUN_LABELS.host]: HOST,
        },
      },
    ]);
  });
});

describe("lifeline: which processes go with a marked one", () => {
  // 10 postmaster (marked) -> 11, 12 backends -> 13 (a backend's child); 20 app (marked); 30 unrelated.
  const all = [
    { pid: 10, ppid: 1 },
    { pid: 11, ppid: 10 },
    { pid: 12, ppid: 10 },
    { pid: 13, ppid: 12 },
    { pid: 20, ppid: 1 },
    { pid: 30, ppid: 1 },
    { pid: 31, ppid: 30 },
  ];

  it("takes every descendant of a marked process, and nothing else", () => {
    assert.deepEqual(
      withDescendants([10, 20], all).sort((a, b) => a - b),
      [10, 11, 12, 13, 20],
    );
  });

  it("stops the topmost marked processes first (a postmaster before the server it started)", () => {
    const marked = [
      { pid: 40, ppid: 1 },
      { pid: 41, ppid: 40 },
      { pid: 20, ppid: 1 },
    ];
    assert.deepEqual(
      topmost(marked).map((p) => p.pid),
      [40, 20],
    );
  });
});

describe("lifeline: marking within a run", () => {
  const context: RunContext = { marker: RUN };

  it("adds the run's variables to a child's environment only within a run", async () => {
    assert.equal(markedEnv({ A: "1" }).FAILOVER_DRILL_RUN, undefined);
    const env = await withRun(context, () => Promise.resolve(markedEnv({ A: "1" })));
    assert.deepEqual(env, {
      A: "1",
      FAILOVER_DRILL_RUN: RUN.run,
      FAILOVER_DRILL_RUNNER_PID: "100",
      FAILOVER_DRILL_RUNNER_START: "5000",
      FAILOVER_DRILL_HOST: HOST,
    });
  });

  it("labels containers with the run, its runner and host, and the workspace once there is one", async () => {
    assert.deepEqual(runLabels(), {});
    const labels = await withRun({ ...context, workspace: "/w" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1)); // still the run after an await
      return runLabels();
    });
    assert.deepEqual(labels, {
      [RUN_LABELS.run]: RUN.run,
      [RUN_LABELS.runnerPid]: "100",
      [RUN_LABELS.host]: HOST,
      [RUN_LABELS.runnerStart]: "5000",
      [RUN_LABELS.workspace]: "/w",
    });
  });

  it("writes a workspace marker naming the run, tells the reaper, and marks it kept on request", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "failover-drill-marker-"));
    try {
      const told: string[] = [];
      await withRun({ marker: RUN, onWorkspace: (d) => told.push(d) }, () => claimWorkspace(dir));
      assert.deepEqual(told, [dir]);
      const written = JSON.parse(await readFile(path.join(dir, WORKSPACE_MARKER_FILE), "utf8")) as object;
      assert.deepEqual({ ...written, startedAt: "" }, { ...RUN, startedAt: "", workspace: dir });
      await markWorkspaceKept(dir);
      assert.equal((await readWorkspaceMarker(dir))?.kept, true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives each run a short id from its start second and random digits", () => {
    const at = new Date("2025-03-04T05:06:07.890Z");
    assert.match(newRunId(at), /^20250304T050607Z-[0-9a-f]{6}$/);
    assert.notEqual(newRunId(at), newRunId(at));
  });

  it("starts the reaper from dist/ when compiled and through tsx from the sources", () => {
    assert.deepEqual(reaperLaunchArgs("file:///pkg/dist/src/lifeline/lifeline.js"), [
      "/pkg/dist/src/lifeline/reaper-main.js",
    ]);
    const fromSource = reaperLaunchArgs(new URL("../../src/lifeline/lifeline.ts", import.meta.url).href);
    assert.equal(fromSource[0], "--import");
    assert.match(fromSource.at(-1)!, /src\/lifeline\/reaper-main\.ts$/);
  });
});

describe("lifeline: what cleanup and the warning say", () => {
  const found = {
    processes: [
      {
        pid: 7,
        ppid: 1,
        pgrp: 7,
        comm: "postgres",
        state: "S",
        start: 1,
        marker: { ...RUN, pid: 9 },
        command: "postgres -D /w/data",
        why: "runner pid 9 is gone",
      },
    ],
    workspaces: [
      { ...RUN, startedAt: "", workspace: "/dev/shm/failover-drill-a-X", why: "runner pid 100 is gone" },
    ],
    docker: [
      {
        kind: "network" as const,
        id: "0123456789abcdef",
        name: "failover-drill-a",
        labels: {},
        run: RUN.run,
        why: "gone",
      },
    ],
  };

  it("names each leftover with its run and why it counts as left behind", () => {
    assert.deepEqual(leftoverLines(found), [
      `process 7 (postgres) of run ${RUN.run}: postgres -D /w/data [runner pid 9 is gone]`,
      `workspace /dev/shm/failover-drill-a-X of run ${RUN.run} [runner pid 100 is gone]`,
      `network failover-drill-a (0123456789ab) of run ${RUN.run} [gone]`,
    ]);
  });

  it("sums leftovers up in one phrase, and says nothing when there are none", () => {
    assert.equal(leftoverSummary(found), "1 process, 1 workspace and 1 container/network");
    assert.equal(leftoverSummary({ ...found, processes: [], docker: [] }), "1 workspace");
    assert.equal(leftoverSummary({ processes: [], workspaces: [], docker: [] }), null);
  });
});
