// The history indexed while streamed from its file (src/history/index-file.ts, the runner's and
// `check`'s path) against the history indexed from its ops in memory (indexHistory): same index, same
// summary, on literal histories, in time order or not.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import { indexHistory, type HistoryIndex } from "../../src/checkers/history.ts";
import { ResolveLog } from "../../src/checkers/resolve-log.ts";
import { indexHistoryFile } from "../../src/history/index-file.ts";
import { Events, type Op } from "../../src/history/types.ts";
import { summariseIndexed, summariseRun } from "../../src/runner/summarise.ts";
import { outageHistory, outageReads } from "./golden-outage.ts";

const EAST = "127.0.1.1";
const WEST = "127.0.2.1";
const jsonl = (ops: readonly Op[]): string => ops.map((op) => JSON.stringify(op)).join("\n") + "\n";

/** The index as plain data: Maps as entry lists. */
function plain(index: HistoryIndex): unknown {
  return {
    ...index,
    writes: [...index.writes],
    writesByClient: [...index.writesByClient],
  };
}

describe("a history indexed from its file", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "history-index-file-test-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const fileOf = async (name: string, ops: readonly Op[]): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, jsonl(ops));
    return file;
  };

  it("gives the golden outage history the same index and the same summary as its ops in memory", async () => {
    const drill = sampleDrill();
    const file = await fileOf("golden.jsonl", outageHistory);
    const fromFile = await indexHistoryFile(drill, file);
    assert.deepEqual(plain(fromFile), plain(indexHistory(drill, outageHistory)));
    const startedAt = "2026-01-01T00:00:00.000Z";
    assert.deepEqual(
      summariseIndexed({ drill, index: fromFile, finalReads: outageReads, startedAt }),
      summariseRun({ drill, history: outageHistory, finalReads: outageReads, startedAt }),
    );
  });

  it("keeps one record per write, one row per lookup and every other op in time order", async () => {
    const ops = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .resolve(0, 1, "127.0.1.1")
      .write(0, 1, 2, "ok", 5, "east")
      .write(1, 2, 3, "info", 9, "ECONNRESET")
      .write(0, 3, 6, "pending")
      .op(7, 1, "ok", Events.write, { id: 99, region: "east" })
      .runner(10, Events.workloadEnd)
      .build();
    const index = await indexHistoryFile(sampleDrill(), await fileOf("small.jsonl", ops));
    assert.deepEqual(
      index.ops.map((op) => op.f),
      [Events.workloadStart, Events.workloadEnd],
    );
    assert.equal(index.resolves.size, 1);
    assert.deepEqual([...index.resolves.firstLookups(0, "127.0.1.1")], [[0, 1e6]]);
    assert.deepEqual([...index.resolves.firstLookups(2e6, "127.0.1.1")], []);
    assert.deepEqual(
      [...index.writes.values()].map((w) => [w.id, w.client, w.outcome, w.region, w.error ?? null]),
      [
        [1, 0, "ok", "east", null],
        [2, 1, "info", null, "ECONNRESET"],
        [3, 0, "pending", null, null],
      ],
    );
    assert.deepEqual(
      [...index.writesByClient].map(([c, ws]) => [c, ws.map((w) => w.id)]),
      [
        [0, [1, 3]],
        [1, [2]],
      ],
    );
    assert.equal(index.endNs, 10e6);
    assert.deepEqual(index.notes, ["1 write completion(s) without a matching invoke were ignored"]);
  });

  it("sorts a hand-made history that goes back in time, as indexHistory does", async () => {
    const inOrder = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .write(0, 1, 100, "ok", 150, "east")
      .write(1, 2, 120, "fail", 130, "refused")
      .runner(200, Events.workloadEnd)
      .build();
    // File order by index, times shuffled: completion of #2 written before the invoke of #1.
    const shuffled = [inOrder[0]!, inOrder[3]!, inOrder[4]!, inOrder[1]!, inOrder[2]!, inOrder[5]!].map(
      (op, index) => ({ ...op, index }),
    );
    const drill = sampleDrill();
    const fromFile = await indexHistoryFile(drill, await fileOf("shuffled.jsonl", shuffled));
    assert.deepEqual(plain(fromFile), plain(indexHistory(drill, shuffled)));
    assert.deepEqual(
      [...fromFile.writes.values()].map((w) => [w.id, w.outcome]),
      [
        [1, "ok"],
        [2, "fail"],
      ],
    );
  });

  it("finds each client's first lookup of an address after a moment as a scan of the ops would, past its first growth", () => {
    const log = new ResolveLog();
    const rows: Array<[number, number, string | undefined]> = [];
    for (let i = 0; i < 5000; i++) {
      // A fixed walk over 40 clients and three answers (one missing), in time order.
      const row: [number, number, string | undefined] = [
        i * 1000,
        (i * 7) % 40,
        [EAST, WEST, undefined][(i * 13) % 3],
      ];
      rows.push(row);
      log.add(...row);
    }
    assert.equal(log.size, 5000);
    for (const [fromNs, address] of [
      [0, WEST],
      [2_500_000, EAST],
      [4_999_000, WEST],
      [0, "10.0.0.9"],
    ] as const) {
      const expected = new Map<number, number>();
      for (const [t, c, a] of rows) if (t >= fromNs && a === address && !expected.has(c)) expected.set(c, t);
      assert.deepEqual(log.firstLookups(fromNs, address), expected);
    }
  });
});
