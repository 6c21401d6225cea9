// The guardrails' pure parts: the default timeout's formula, the run guard's phase and reason, the
// verdict a history's timeout and infrastructure events give (as `check` re-reads them), `--timeout`
// parsing, and report directories that cannot be written.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { execFileSync } from "node:child_process";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import { parseTimeoutOption } from "../../src/cli/timeout-option.ts";
import { Events } from "../../src/history/types.ts";
import {
  defaultTimeoutMs,
  PHASES,
  RunGuard,
  timeoutBreakdown,
  timeoutReason,
} from "../../src/runner/guard.ts";
import { GuardEvents, guardVerdict, type InfraFailureValue } from "../../src/runner/infra-events.ts";
import {
  OutputDirectoryError,
  prepareRunDirectory,
  ReportWriteError,
  writeFinalState,
} from "../../src/runner/run-files.ts";
import { summariseRun } from "../../src/runner/summarise.ts";

const dnsDown = (duringWorkload: boolean): InfraFailureValue => ({
  component: "dns",
  what: "the DNS server (embedded, 127.0.0.1:40123)",
  detail: "stopped answering",
  firstFailureNs: 12_300_000_000,
  duringWorkload,
});

describe("the drill's default timeout", () => {
  it("is the setup allowance + workload + recovery wait + 1 minute + a quarter of workload and recovery", () => {
    const drill = sampleDrill(); // 12 s workload, 1 s recovery wait
    const timed = drill.workload.durationMs + drill.recovery.waitMs;
    assert.equal(defaultTimeoutMs(drill), Math.ceil((120_000 + timed + 60_000 + timed / 4) / 1000) * 1000);
    assert.equal(defaultTimeoutMs({ ...drill, platform: "docker" }) - defaultTimeoutMs(drill), 180_000);
  });

  it("gives 3m42s to the 30 s region-outage drill with its 3 s recovery wait", () => {
    const drill = sampleDrill();
    const d = { ...drill, workload: { ...drill.workload, durationMs: 30_000 }, recovery: { waitMs: 3000 } };
    assert.equal(defaultTimeoutMs(d), 222_000);
    assert.equal(
      timeoutBreakdown(d),
      "2m setup + 30s workload + 3s recovery + 68.25s margin, rounded up to the second",
    );
  });

  it("names the limit and the phase in its reason", () => {
    assert.equal(timeoutReason(300_000, PHASES.recovery), "timed out after 5m during 'waiting for recovery'");
  });
});

describe("the run guard", () => {
  it("aborts its signal when the limit passes, remembering the phase it was in", async () => {
    const guard = new RunGuard(20);
    guard.enter(PHASES.workload);
    await once(guard.signal, "abort");
    assert.equal(guard.timedOut?.phase, "running the workload");
    assert.equal(guard.signal.reason, "timed out after 20ms during 'running the workload'");
    assert.equal(guard.interrupted, false);
    guard[Symbol.dispose]();
  });

  it("aborts with the caller's signal as an interruption, not a timeout", () => {
    const outer = new AbortController();
    const guard = new RunGuard(60_000, outer.signal);
    outer.abort("SIGINT");
    assert.equal(guard.signal.aborted, true);
    assert.equal(guard.timedOut, null);
    assert.equal(guard.interrupted, true);
    guard[Symbol.dispose]();
  });

  it("takes a limit beyond what a timer can hold as no limit, rather than firing at once", async () => {
    const guard = new RunGuard(1000 * 3600 * 1000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(guard.signal.aborted, false);
    guard[Symbol.dispose]();
  });

  it("never fires once disarmed", async () => {
    const guard = new RunGuard(10);
    guard.disarm();
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(guard.signal.aborted, false);
    guard[Symbol.dispose]();
  });
});

describe("the verdict of guardrail events in a history", () => {
  it("makes a drill whose DNS server stopped during the workload inconclusive, naming it and when", () => {
    const history = new HistoryBuilder().runner(12_500, GuardEvents.infraFailure, dnsDown(true)).build();
    const verdict = guardVerdict(history);
    assert.equal(verdict.inconclusive, true);
    assert.deepEqual(verdict.notes, [
      "the DNS server (embedded, 127.0.0.1:40123) stopped answering at 12.3 s; not a fault of the drill " +
        "(the workload's figures rest on missing data)",
    ]);
  });

  it("keeps the figures of a drill whose DNS server stopped after the workload, with a note", () => {
    const verdict = guardVerdict(
      new HistoryBuilder().runner(12_500, GuardEvents.infraFailure, dnsDown(false)).build(),
    );
    assert.equal(verdict.inconclusive, false);
    assert.match(verdict.notes[0] ?? "", /after the workload, so its figures stand/);
  });

  it("makes a timed-out drill inconclusive with the timeout's reason", () => {
    const reason = timeoutReason(8000, PHASES.workload);
    const verdict = guardVerdict(
      new HistoryBuilder()
        .runner(8000, GuardEvents.timeout, { limitMs: 8000, phase: PHASES.workload, reason })
        .build(),
    );
    assert.equal(verdict.inconclusive, true);
    assert.match(verdict.notes[0] ?? "", /^the drill timed out after 8s during 'running the workload'/);
  });

  it("turns a summary that would pass into an inconclusive one, as `check` re-reads it", () => {
    const history = new HistoryBuilder()
      .runner(0, Events.topologyUp, { regions: [] })
      .runner(100, Events.workloadStart)
      .write(0, 1, 100, "ok", 110, "east")
      .runner(3000, GuardEvents.infraFailure, dnsDown(true))
      .runner(12_100, Events.workloadEnd)
      .build();
    const input = {
      drill: sampleDrill(),
      history,
      finalReads: [{ node: "east", reachable: true, role: "primary" as const, ids: [1] }],
      startedAt: "2026-01-01T00:00:00.000Z",
    };
    const clean = summariseRun({
      ...input,
      history: history.filter((op) => op.f !== GuardEvents.infraFailure),
    });
    assert.equal(clean.status, "pass");
    const summary = summariseRun(input);
    assert.equal(summary.status, "inconclusive");
    assert.ok(
      summary.notes.some((n) => n.startsWith("the DNS server (embedded, 127.0.0.1:40123) stopped answering")),
    );
  });
});

describe("--timeout", () => {
  it("takes a duration and refuses anything else, naming the option", () => {
    assert.deepEqual(parseTimeoutOption("10m"), { ms: 600_000 });
    assert.deepEqual(parseTimeoutOption(undefined), {});
    assert.match(
      parseTimeoutOption("soon").problem ?? "",
      /^--timeout: expected a duration like .*got "soon"$/,
    );
    assert.match(parseTimeoutOption("0").problem ?? "", /^--timeout: expected a positive duration/);
  });
});

describe("report directories that cannot be written", () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "guard-out-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("refuses a file where the directory should be before anything starts, naming the path and cause", async () => {
    const file = path.join(tmp, "a-file");
    await writeFile(file, "not a directory");
    const dir = path.join(file, "drill", "20260101T000000Z");
    await assert.rejects(prepareRunDirectory(dir), (err: Error) => {
      assert.ok(err instanceof OutputDirectoryError);
      assert.match(err.message, new RegExp(`^cannot write the run's reports to ${dir}: ENOTDIR`));
      return true;
    });
  });

  it("refuses a read-only directory (a read-only mount: root ignores permissions)", async function () {
    const ro = path.join(tmp, "ro");
    await mkdir(ro);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", ro], { stdio: "ignore" });
    } catch {
      this.skip(); // no permission to mount here
    }
    try {
      await assert.rejects(prepareRunDirectory(path.join(ro, "drill", "t")), /EROFS: read-only file system/);
    } finally {
      execFileSync("umount", [ro]);
    }
  });

  it("refuses a full directory before the drill starts", async function () {
    const full = path.join(tmp, "full");
    await mkdir(full);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", full], { stdio: "ignore" });
    } catch {
      this.skip();
    }
    try {
      await writeFile(path.join(full, "filler"), Buffer.alloc(4096)).catch(() => {});
      await assert.rejects(prepareRunDirectory(path.join(full, "drill", "t")), /ENOSPC/);
    } finally {
      execFileSync("umount", [full]);
    }
  });

  it("names the file and the cause when the evidence cannot be written after the run", async () => {
    const gone = path.join(tmp, "gone");
    await assert.rejects(writeFinalState(gone, []), (err: Error) => {
      assert.ok(err instanceof ReportWriteError);
      assert.equal(
        err.message,
        `cannot write ${path.join(gone, "final-state.json")}: ENOENT: no such file or directory`,
      );
      return true;
    });
  });
});
