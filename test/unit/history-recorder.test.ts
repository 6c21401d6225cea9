import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ManualClock } from "../../src/clock.ts";
import { HistoryRecorder, parseHistory } from "../../src/history/recorder.ts";

describe("HistoryRecorder", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "history-test-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("numbers ops in order and stamps them with the injected clock", () => {
    const clock = new ManualClock();
    const h = new HistoryRecorder(clock);
    h.append(0, "invoke", "write", { id: 1 });
    clock.advanceMs(2.5);
    h.append(0, "ok", "write", { id: 1, region: "us-east" });
    assert.deepEqual(
      h.ops.map((o) => [o.index, o.time, o.type]),
      [
        [0, 0, "invoke"],
        [1, 2_500_000, "ok"],
      ],
    );
  });

  it("streams one JSON object per line that parses back to the same ops", async () => {
    const file = path.join(dir, "history.jsonl");
    const clock = new ManualClock();
    const h = new HistoryRecorder(clock, file);
    const ops = [h.append(1, "invoke", "write", { id: 7 })];
    clock.advanceMs(1);
    ops.push(h.append(1, "info", "write", { id: 7 }, "ECONNRESET"));
    ops.push(h.event("controller", "primary-down", { region: "us-east" }));
    await h.close();
    const text = await readFile(file, "utf8");
    assert.equal(text.trim().split("\n").length, 3);
    assert.deepEqual(parseHistory(text), ops);
    assert.equal(parseHistory(text)[1]?.error, "ECONNRESET");
  });
});
