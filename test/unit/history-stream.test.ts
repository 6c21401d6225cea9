// The streaming recorder (src/history/recorder.ts) and the streaming reader (src/history/read-file.ts):
// order across flushes, nothing kept in memory, flushed without close, a torn last line, a killed
// writer, a full disk.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ManualClock } from "../../src/clock.ts";
import { HistoryRecorder, FLUSH_CHARS, parseHistory } from "../../src/history/recorder.ts";
import { writeOpOf } from "../../src/history/format.ts";
import { forEachHistoryOp } from "../../src/history/read-file.ts";
import type { Op } from "../../src/history/types.ts";
import { FormatError } from "../../src/util/format-version.ts";

async function readOps(file: string, tolerateTornTail = false): Promise<{ ops: Op[]; torn?: number }> {
  const ops: Op[] = [];
  const stats = await forEachHistoryOp(file, (op) => ops.push(op), { tolerateTornTail });
  return { ops, ...(stats.torn === undefined ? {} : { torn: stats.torn }) };
}

describe("the streaming history", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "history-stream-test-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes every op in the order appended, across many buffer flushes, and reads them back in order", async () => {
    const file = path.join(dir, "many.jsonl");
    const clock = new ManualClock();
    const h = new HistoryRecorder(clock, file);
    const appended: Op[] = [];
    // Enough text for several FLUSH_CHARS buffers, with non-ASCII to cross chunk boundaries mid-character.
    for (let i = 0; i < 3000; i++) {
      clock.advanceMs(1);
      appended.push(h.append(i % 7, "invoke", "write", { id: i, note: "ü→".repeat(i % 40) }));
    }
    await h.close();
    assert.ok((await readFile(file, "utf8")).length > 3 * FLUSH_CHARS);
    const { ops, torn } = await readOps(file);
    assert.equal(torn, undefined);
    assert.deepEqual(ops, appended);
    assert.deepEqual(parseHistory(await readFile(file, "utf8")), appended);
  });

  it("keeps no ops in memory when it streams to a file, and says so when asked for them", async () => {
    const h = new HistoryRecorder(new ManualClock(), path.join(dir, "no-memory.jsonl"));
    h.append(0, "invoke", "write", { id: 1 });
    assert.equal(h.length, 1);
    assert.throws(() => h.ops, /streams to .*no-memory\.jsonl and is not kept in memory/);
    await h.close();
  });

  it("puts a buffered op on disk within a fraction of a second without close, and the rest on close", async () => {
    const file = path.join(dir, "flush.jsonl");
    const h = new HistoryRecorder(new ManualClock(), file);
    h.event("runner", "workload-start", {});
    let text = "";
    for (let waited = 0; waited < 5000 && text === ""; waited += 50) {
      await sleep(50);
      text = await readFile(file, "utf8");
    }
    assert.equal(text.split("\n").length, 2, "the first op was not flushed by the timer");
    h.event("runner", "workload-end", {});
    h.event("runner", "heal-all", {});
    await h.close();
    const { ops } = await readOps(file);
    assert.deepEqual(
      ops.map((op) => [op.index, op.f]),
      [
        [0, "workload-start"],
        [1, "workload-end"],
        [2, "heal-all"],
      ],
    );
    // Appends after close are numbered but not written (the run is over).
    h.event("runner", "late", {});
    assert.equal((await readOps(file)).ops.length, 3);
  });

  it("reads a history whose last line is torn as its complete ops, naming the torn line; strictly, refuses it", async () => {
    const file = path.join(dir, "torn.jsonl");
    const h = new HistoryRecorder(new ManualClock(), file);
    h.append(0, "invoke", "write", { id: 1 });
    h.append(0, "ok", "write", { id: 1, region: "east" });
    await h.close();
    await appendFile(file, '{"index":2,"time":5,"process":0,"type":"inv');
    const { ops, torn } = await readOps(file, true);
    assert.deepEqual(
      ops.map((op) => op.index),
      [0, 1],
    );
    assert.equal(torn, 3);
    await assert.rejects(readOps(file), (err: unknown) => {
      assert.ok(err instanceof FormatError);
      assert.match(err.message, /torn\.jsonl:3: /);
      return true;
    });
  });

  it("still refuses a malformed line that is not the last, even when a torn tail is tolerated", async () => {
    const file = path.join(dir, "bad-middle.jsonl");
    await writeFile(file, '{"index":0,"time":0,"process":0,"type":"invoke","f":"write"}\nnot json\n');
    await assert.rejects(readOps(file, true), /bad-middle\.jsonl:2: /);
  });

  it("leaves a readable, gapless prefix on disk when the writing process is killed with SIGKILL", async function () {
    this.timeout(60_000);
    const file = path.join(dir, "killed.jsonl");
    const recorder = new URL("../../src/history/recorder.ts", import.meta.url).href;
    const script = `
      import { HistoryRecorder } from ${JSON.stringify(recorder)};
      import { MonotonicClock } from ${JSON.stringify(new URL("../../src/clock.ts", import.meta.url).href)};
      const h = new HistoryRecorder(new MonotonicClock(), ${JSON.stringify(file)});
      let id = 0;
      const burst = () => {
        for (let i = 0; i < 200; i++) h.append(id % 50, "invoke", "write", { id: id++ });
        if (id === 2000) process.stdout.write("ready\\n");
        setImmediate(burst);
      };
      burst();`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => (d.toString().includes("ready") ? resolve() : undefined));
        child.on("exit", (code) => reject(new Error(`the writer exited (${code}) before it was killed`)));
      });
      await sleep(300);
    } finally {
      child.kill("SIGKILL");
    }
    await new Promise((resolve) => child.once("close", resolve));
    const { ops } = await readOps(file, true);
    assert.ok(ops.length >= 2000, `only ${ops.length} ops reached the disk`);
    assert.ok(
      ops.every((op, i) => op.index === i),
      "the prefix on disk has a gap",
    );
  });

  it("fails close() naming the file when the history cannot be written (a full disk), not the append", async () => {
    const h = new HistoryRecorder(new ManualClock(), "/dev/full");
    for (let i = 0; i < 2000; i++) h.append(0, "invoke", "write", { id: i, pad: "x".repeat(64) });
    await assert.rejects(h.close(), /history could not be written to \/dev\/full: .*ENOSPC/);
  });

  it("reads the recorder's write lines without JSON.parse into the very op JSON.parse gives, and leaves every other line to it", () => {
    const clock = new ManualClock(19_217_079_344);
    const h = new HistoryRecorder(clock);
    h.append(0, "invoke", "write", { id: 1 });
    h.append(109, "ok", "write", { id: 3340, region: "eu-west", attempts: 1 });
    h.append(7, "ok", "write", { id: 2, region: "us-east" });
    h.append(3, "info", "write", { id: 3, attempts: 2 }, "timeout after 1000 ms");
    h.append(4, "fail", "write", { id: 4 }, "connect ECONNREFUSED 127.0.1.1:8080");
    for (const op of h.ops) {
      const line = JSON.stringify(op);
      assert.equal(JSON.stringify(writeOpOf(line)), line);
      assert.deepEqual(writeOpOf(line), JSON.parse(line));
    }
    for (const line of [
      '{"index":1,"time":5,"process":0,"type":"info","f":"resolve","value":{"id":1}}',
      '{"index":01,"time":5,"process":0,"type":"invoke","f":"write","value":{"id":1}}',
      '{"index":1,"time":5.5,"process":0,"type":"invoke","f":"write","value":{"id":1}}',
      '{"index":1,"time":5,"process":0,"type":"ok","f":"write","value":{"id":1,"region":"a\\"b"}}',
      '{"index":1,"time":5,"process":"nemesis","type":"invoke","f":"write","value":{"id":1}}',
      '{"index":1,"time":5,"process":0,"type":"invoke","f":"write","value":{"id":1},"extra":true}',
      '{ "index":1,"time":5,"process":0,"type":"invoke","f":"write","value":{"id":1}}',
      '{"index":1,"time":5,"process":0,"type":"invoke","f":"write","value":{"id":1}}x',
    ])
      assert.equal(writeOpOf(line), null, line);
  });
});
