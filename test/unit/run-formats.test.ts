// The readers of a run's files (history.jsonl, final-state.json, report.json): versions checked, newer
// ones refused, malformed content named by file, line and field.
import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import {
  FINAL_STATE_FORMAT_VERSION,
  parseFinalState,
  renderFinalState,
} from "../../src/history/final-state.ts";
import { HISTORY_FORMAT_VERSION, historyFormatValue, readHistory } from "../../src/history/format.ts";
import { HistoryRecorder } from "../../src/history/recorder.ts";
import type { FinalRead } from "../../src/history/types.ts";
import { parseSummaryJson, renderJson } from "../../src/report/json.ts";
import { REPORT_FORMAT_VERSION } from "../../src/summary/types.ts";
import { outageSummary } from "./golden-outage.ts";
import { historyJsonl, storedHistory } from "./stored-run.ts";

const header = (formatVersion: unknown): string =>
  JSON.stringify({
    index: 0,
    time: 0,
    process: "runner",
    type: "info",
    f: "history-format",
    value: { formatVersion },
  });
const write = (index: number, id: number): string =>
  JSON.stringify({ index, time: index * 1000, process: 0, type: "invoke", f: "write", value: { id } });

describe("history.jsonl format", () => {
  it("reads the version from the history-format op a recorder wrote first, and every op after it", () => {
    const h = new HistoryRecorder(new ManualClock());
    h.event("runner", "history-format", historyFormatValue());
    h.append(0, "invoke", "write", { id: 1 });
    h.append(0, "ok", "write", { id: 1, region: "east" });
    const text = h.ops.map((op) => JSON.stringify(op)).join("\n") + "\n";
    const parsed = readHistory(text, { requireVersion: true });
    assert.equal(parsed.formatVersion, HISTORY_FORMAT_VERSION);
    assert.deepEqual(parsed.ops, h.ops);
  });

  it("refuses a history-format newer than this version reads, naming file and line 1", () => {
    const text = `${header(HISTORY_FORMAT_VERSION + 1)}\n${write(1, 1)}\n`;
    assert.throws(
      () => readHistory(text, { file: "run/history.jsonl" }),
      new RegExp(`^FormatError: run/history\\.jsonl:1: formatVersion ${HISTORY_FORMAT_VERSION + 1} is newer`),
    );
  });

  it("refuses a formatVersion that is not a whole number", () => {
    assert.throws(
      () => readHistory(`${header("1")}\n`),
      /history\.jsonl:1: formatVersion must be a whole number from 1, got "1"/,
    );
  });

  it("refuses a stored history without the history-format op first, and accepts it when not required", () => {
    const text = `${write(0, 1)}\n${write(1, 2)}\n`;
    assert.throws(
      () => readHistory(text, { requireVersion: true }),
      /history\.jsonl:1: the first op is "write", not history-format/,
    );
    assert.equal(readHistory(text).formatVersion, null);
    assert.equal(readHistory(text).ops.length, 2);
  });

  it("names the line of a line that is not JSON, counting blank lines", () => {
    const text = `${header(1)}\n\n${write(1, 1)}\n{"index": 2, "time": 5\n`;
    assert.throws(() => readHistory(text), /^FormatError: history\.jsonl:4: not JSON: /);
  });

  it("names the line and the field of a line that is JSON but not an op", () => {
    const noTime = JSON.stringify({ index: 1, process: 0, type: "ok", f: "write" });
    assert.throws(
      () => readHistory(`${header(1)}\n${noTime}\n`),
      /history\.jsonl:2: not an op: time must be a number \(ns\), got undefined/,
    );
    const badType = JSON.stringify({ index: 1, time: 1, process: 0, type: "done", f: "write" });
    assert.throws(
      () => readHistory(`${header(1)}\n${badType}\n`),
      /:2: not an op: type must be invoke, ok, fail or info/,
    );
    assert.throws(() => readHistory(`${header(1)}\n[1, 2]\n`), /:2: not an op: expected an object/);
  });

  it("refuses ops out of index order and a history-format op after the first", () => {
    assert.throws(
      () => readHistory(`${header(1)}\n${write(2, 1)}\n${write(1, 2)}\n`),
      /:3: op index 1 does not follow 2/,
    );
    const late = JSON.stringify({
      index: 2,
      time: 9,
      process: "runner",
      type: "info",
      f: "history-format",
      value: { formatVersion: 1 },
    });
    assert.throws(
      () => readHistory(`${header(1)}\n${write(1, 1)}\n${late}\n`),
      /:3: history-format must be the first op/,
    );
  });

  it("refuses an empty stored history", () => {
    assert.throws(() => readHistory("\n", { requireVersion: true }), /history\.jsonl: empty: no ops/);
  });

  it("round-trips the golden history as a stored run writes it", () => {
    const parsed = readHistory(historyJsonl(storedHistory), { requireVersion: true });
    assert.deepEqual(parsed.ops, storedHistory);
  });
});

describe("final-state.json format", () => {
  const reads: FinalRead[] = [
    { node: "east", reachable: true, role: "primary", ids: [1, 2, 3, 4], walLsn: "0/3000000" },
    { node: "west", reachable: false, role: "unknown", ids: [], error: "connection refused" },
  ];

  it("round-trips every node's ids, role, position and error, one node per line", () => {
    const text = renderFinalState(reads);
    assert.deepEqual(parseFinalState(text), { formatVersion: FINAL_STATE_FORMAT_VERSION, nodes: reads });
    assert.equal(text.split("\n").filter((l) => l.includes('"node"')).length, 2);
    assert.deepEqual(JSON.parse(text), { formatVersion: FINAL_STATE_FORMAT_VERSION, nodes: reads });
  });

  it("round-trips a run that read no node", () => {
    assert.deepEqual(parseFinalState(renderFinalState([])).nodes, []);
  });

  it("refuses a newer formatVersion and a file without one, naming the file", () => {
    const newer = JSON.stringify({ formatVersion: FINAL_STATE_FORMAT_VERSION + 1, nodes: reads });
    assert.throws(
      () => parseFinalState(newer, "d/final-state.json"),
      /^FormatError: d\/final-state\.json: formatVersion 2 is newer/,
    );
    assert.throws(
      () => parseFinalState(JSON.stringify({ nodes: reads })),
      /final-state\.json: no formatVersion/,
    );
  });

  it("names the node and the field that is wrong", () => {
    const badId = JSON.stringify({ formatVersion: 1, nodes: [reads[0], { ...reads[1], ids: [1, 2, "3"] }] });
    assert.throws(
      () => parseFinalState(badId),
      /final-state\.json: nodes\[1\]\.ids\[2\] must be a whole number, got "3"/,
    );
    const badRole = JSON.stringify({ formatVersion: 1, nodes: [{ ...reads[0], role: "leader" }] });
    assert.throws(
      () => parseFinalState(badRole),
      /nodes\[0\]\.role must be primary, standby or unknown, got "leader"/,
    );
    assert.throws(() => parseFinalState(JSON.stringify({ formatVersion: 1 })), /nodes must be a list/);
    assert.throws(() => parseFinalState("{"), /final-state\.json: not JSON/);
  });
});

describe("report.json format", () => {
  const summary = outageSummary({ name: "versioned" });

  it("carries the summary's formatVersion as its first field", () => {
    assert.equal(summary.formatVersion, REPORT_FORMAT_VERSION);
    assert.equal(Object.keys(JSON.parse(renderJson(summary)) as object)[0], "formatVersion");
  });

  it("refuses a newer formatVersion and a report without one", () => {
    const newer = renderJson({ ...summary, formatVersion: REPORT_FORMAT_VERSION + 1 });
    assert.throws(
      () => parseSummaryJson(newer),
      /^FormatError: report\.json: formatVersion 2 is newer than this failover-drill reads \(up to 1\)/,
    );
    const { formatVersion: _dropped, ...unversioned } = summary;
    assert.throws(() => parseSummaryJson(JSON.stringify(unversioned)), /report\.json: no formatVersion/);
  });

  it("refuses a report without the drill a re-check needs, naming the field", () => {
    const { drill: _dropped, ...noDrill } = summary;
    assert.throws(
      () => parseSummaryJson(JSON.stringify(noDrill), "r/report.json"),
      /r\/report\.json: drill must be the drill the run ran/,
    );
    const noWorkload = { ...summary, drill: { ...summary.drill, workload: undefined } };
    assert.throws(() => parseSummaryJson(JSON.stringify(noWorkload)), /drill\.workload must be an object/);
    assert.throws(() => parseSummaryJson("not json"), /report\.json: not JSON/);
  });
});
