// The one /proc reader (src/platform/proc.ts): stat lines parsed from literal text (a command name
// with spaces and parentheses, a zombie), descendant walks on literal rows, and this very process
// as /proc lists it.
import assert from "node:assert/strict";
import {
  descendantsOf,
  listProcesses,
  parseStat,
  readProcess,
  type ProcEntry,
} from "../../src/platform/proc.ts";

// Fields 3 (state) to 22 (starttime) as the kernel writes them, after "pid (comm) ".
const rest = (state: string, ppid: number, pgrp: number, start: number): string =>
  `${state} ${ppid} ${pgrp} ${pgrp} 0 -1 4194560 120 0 0 0 3 1 0 0 20 0 1 0 ${start} 5242880 300`;

const row = (pid: number, ppid: number, comm = "sh"): ProcEntry => ({
  pid,
  ppid,
  pgrp: pid,
  comm,
  state: "S",
  start: 1,
});

describe("the /proc reader", () => {
  it("reads state, parent, group, command name and start time from a stat line", () => {
    assert.deepEqual(parseStat(42, `42 (postgres) ${rest("S", 7, 40, 123456)}`), {
      pid: 42,
      ppid: 7,
      pgrp: 40,
      comm: "postgres",
      state: "S",
      start: 123456,
    });
  });

  it("takes a command name with spaces and parentheses whole", () => {
    const entry = parseStat(9, `9 (a) b (c)) ${rest("T", 1, 9, 77)}`);
    assert.equal(entry?.comm, "a) b (c)");
    assert.equal(entry?.state, "T");
    assert.equal(entry?.ppid, 1);
    assert.equal(entry?.start, 77);
  });

  it("leaves zombies and dead processes out: they run nothing", () => {
    assert.equal(parseStat(5, `5 (sleep) ${rest("Z", 1, 5, 1)}`), undefined);
    assert.equal(parseStat(5, `5 (sleep) ${rest("X", 1, 5, 1)}`), undefined);
  });

  it("walks descendants level by level, and not below a process it must not follow", () => {
    const all = [row(10, 1), row(11, 10), row(12, 10, "postgres"), row(13, 11), row(14, 12), row(15, 2)];
    assert.deepEqual(
      descendantsOf(10, all).map((p) => p.pid),
      [11, 12, 13, 14],
    );
    assert.deepEqual(
      descendantsOf(10, all, (p) => p.comm !== "postgres").map((p) => p.pid),
      [11, 13],
    );
    assert.deepEqual(descendantsOf(99, all), []);
  });

  it("finds this process with its parent, once, in one pass over /proc", function () {
    if (process.platform !== "linux") this.skip();
    const self = readProcess(process.pid);
    assert.ok(self !== undefined);
    assert.equal(self.ppid, process.ppid);
    assert.ok(self.start > 0, String(self.start));
    const listed = listProcesses().filter((p) => p.pid === process.pid);
    // The state may change between the two reads (running, sleeping).
    assert.deepEqual(listed, [{ ...self, state: listed[0]?.state ?? "" }]);
    assert.equal(readProcess(2 ** 22 + 1), undefined, "a pid above pid_max is no process");
  });
});
