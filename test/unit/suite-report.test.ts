// The suite's result and its renderings, on literal results: status and exit-code aggregation, the
// JUnit file (read back by a strict XML 1.0 parser, by fast-xml-parser and by a JUnit consumer's
// parser), and the Markdown and console summaries.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { SaxesParser } from "saxes";
import { parse as parseJunit } from "test-results-parser";
import type { RunStatus } from "../../src/matrix/types.ts";
import type { ObjectiveResult } from "../../src/summary/types.ts";
import { suiteNotification, suiteOutcomeMarkdown } from "../../src/cli/handlers/suite-outcome.ts";
import { suiteConsole } from "../../src/suite/console.ts";
import { suiteJunit, xmlText } from "../../src/suite/junit.ts";
import { suiteMarkdown } from "../../src/suite/markdown.ts";
import { buildSuiteResult, entryExitCode, entryStatus } from "../../src/suite/result.ts";
import type { EntryStatus, SuiteEntryResult, SuiteResult, SuiteRun } from "../../src/suite/types.ts";

function objective(
  name: string,
  limit: string,
  measured: number | null,
  met: boolean | null,
  reason?: string,
): ObjectiveResult {
  const [operator, value] = limit.split(" ") as [ObjectiveResult["operator"], string];
  return {
    name,
    operator,
    limit,
    limitValue: Number.parseFloat(value),
    unit: name.startsWith("rto") ? "ms" : "count",
    measured,
    met,
    ...(reason === undefined ? {} : { reason }),
  };
}

const RTO_MET = objective("rto.max", "< 20s", 8140, true);
const LOST_MET = objective("rpo.lostWrites", "<= 5000", 5, true);

function run(label: string, status: RunStatus, more: Partial<SuiteRun> = {}): SuiteRun {
  return {
    label,
    drill: label.split(" ")[0] ?? label,
    status,
    reportDir: `../../${label.split(" ")[0]}/20260101T000000Z`,
    startedAt: "2026-01-01T00:00:00.000Z",
    durationMs: 37_000,
    objectives: status === "pass" ? [RTO_MET, LOST_MET] : [],
    failedCheckers: [],
    figures: null,
    ...more,
  };
}

function entry(
  index: number,
  name: string,
  runs: SuiteRun[],
  more: Partial<SuiteEntryResult> = {},
): SuiteEntryResult {
  const status: EntryStatus = more.status ?? entryStatus(runs, false);
  return {
    index,
    name,
    kind: "drill",
    file: `drills/${name}.yaml`,
    overrides: {},
    status,
    exitCode: entryExitCode(status),
    startedAt: status === "not-run" ? null : "2026-01-01T00:00:00.000Z",
    durationMs: runs.reduce((n, r) => n + r.durationMs, 0),
    runsPlanned: Math.max(1, runs.length),
    runs,
    ...more,
  };
}

const SUITE = { name: "weekly", description: "the weekly drills", file: "drills/weekly.yaml" };

function result(entries: SuiteEntryResult[], interrupted = false): SuiteResult {
  return buildSuiteResult(SUITE, {
    startedAt: "2026-01-01T00:00:00.000Z",
    durationMs: 221_000,
    interrupted,
    entries,
  });
}

/** A suite with one of everything: a pass, a miss, an inconclusive objective, a failed checker, an
 * infrastructure error, a two-run matrix, and an entry never reached. */
function mixed(): SuiteResult {
  return result(
    [
      entry(1, "region-outage", [run("region-outage", "pass", { figures: figures(8140, 5) })]),
      entry(2, "replication-cut", [
        run("replication-cut", "fail", {
          objectives: [
            objective("rpo.lostWrites", "> 0", 0, false),
            objective(
              "rto.max",
              "< 20s",
              null,
              null,
              "2 of 4 client(s) never completed a write after the fault",
            ),
          ],
        }),
      ]),
      entry(
        3,
        "client-failover",
        [
          run("client-failover", "inconclusive", {
            objectives: [RTO_MET],
            failedCheckers: [
              "checker detection failed: the controller declared the primary down before the fault",
            ],
          }),
        ],
        { overrides: { "controller.mode": "client" } },
      ),
      entry(4, "broken", [
        run("broken", "error", {
          reportDir: null,
          error: "TopologyStartError: postgres did not start\nits log: <FATAL> & more",
        }),
      ]),
      entry(
        5,
        "sync-vs-async",
        [
          run("sync-vs-async cell 1 (database.replication=async) run 1", "pass", {
            cell: "01-replication-async",
            run: 1,
          }),
          run("sync-vs-async cell 2 (database.replication=sync) run 1", "pass", {
            cell: "02-replication-sync",
            run: 1,
          }),
        ],
        { kind: "matrix", matrixDir: "../../sync-vs-async/20260101T000300Z", runsPlanned: 2 },
      ),
      entry(6, "later", [], { status: "not-run" }),
    ],
    true,
  );
}

function figures(rtoMaxMs: number, lostWrites: number): SuiteRun["figures"] {
  return {
    writeLatencyP50Ms: 3,
    writeLatencyP99Ms: 40,
    ackedPerSecond: 290,
    lostWrites,
    lostWindowMs: 20,
    rtoP50Ms: 5000,
    rtoP90Ms: 7000,
    rtoMaxMs,
    predictedRtoMaxMs: 12_000,
    detectionMs: 2910,
    promotionMs: 300,
    dnsSwitchClientFirstMs: 10,
    dnsSwitchClientLastMs: 4900,
    dnsFailoverMs: 8000,
    predictedDetectionMs: 3000,
    predictedDnsFailoverMs: 8000,
  };
}

describe("suite status and exit code", () => {
  const cases: Array<[string, RunStatus[], boolean, RunStatus, number]> = [
    ["every drill passed", ["pass", "pass"], false, "pass", 0],
    ["one missed an objective", ["pass", "fail"], false, "fail", 1],
    ["one was inconclusive", ["inconclusive", "pass"], false, "inconclusive", 3],
    ["a miss outweighs an inconclusive one", ["inconclusive", "fail"], false, "fail", 1],
    ["an infrastructure failure outweighs a miss", ["fail", "error", "pass"], false, "error", 4],
    ["an interrupt outweighs everything", ["error", "pass"], true, "interrupted", 130],
  ];
  for (const [what, statuses, interrupted, status, code] of cases) {
    it(`is the worst of its drills when ${what}: ${status}, exit ${code}`, () => {
      const r = result(
        statuses.map((s, i) => entry(i + 1, `d${i}`, [run(`d${i}`, s)])),
        interrupted,
      );
      assert.equal(r.status, status);
      assert.equal(r.exitCode, code);
    });
  }

  it("takes a matrix entry's status from the worst of its runs", () => {
    assert.equal(
      entryStatus([run("m 1", "pass"), run("m 2", "inconclusive"), run("m 3", "pass")], false),
      "inconclusive",
    );
    assert.equal(entryExitCode("inconclusive"), 3);
    assert.equal(entryExitCode("not-run"), null);
  });

  it("counts every objective and says the suite is incomplete when entries were not reached", () => {
    const r = mixed();
    assert.deepEqual(r.objectives, { met: 7, missed: 1, inconclusive: 1 });
    assert.equal(r.complete, false);
    assert.equal(r.interrupted, true);
    assert.equal(result([entry(1, "a", [run("a", "pass")])]).complete, true);
  });
});

type Node = Record<string, unknown>;

/** Problems a strict XML 1.0 parser finds (saxes: well-formedness, characters XML cannot carry). */
function xmlErrors(xml: string): string[] {
  const errors: string[] = [];
  const parser = new SaxesParser();
  parser.on("error", (e) => errors.push(e.message));
  parser.write(xml).close();
  return errors;
}

function parseXml(xml: string): Node {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    htmlEntities: true,
    isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
  });
  return parser.parse(xml) as Node;
}

describe("suite.junit.xml", () => {
  const xml = suiteJunit(mixed());
  const doc = parseXml(xml);
  const root = doc.testsuites as Node;
  const suites = root.testsuite as Node[];
  const byName = (name: string): Node => {
    const found = suites.find((s) => s.name === name);
    assert.ok(found, `no testsuite ${name} in ${suites.map((s) => s.name).join(", ")}`);
    return found;
  };
  const cases = (s: Node): Node[] => (s.testcase ?? []) as Node[];

  it("is well-formed XML 1.0 for a strict parser", () => {
    assert.deepEqual(xmlErrors(xml), []);
  });

  it("has a testsuite per drill run, one per run of each matrix cell", () => {
    assert.deepEqual(
      suites.map((s) => s.name),
      [
        "region-outage",
        "replication-cut",
        "client-failover",
        "broken",
        "sync-vs-async cell 1 (database.replication=async) run 1",
        "sync-vs-async cell 2 (database.replication=sync) run 1",
        "later",
      ],
    );
  });

  it("has a testcase per objective, and a missed one fails with the measured value and the limit", () => {
    const s = byName("replication-cut");
    assert.deepEqual(
      cases(s).map((c) => c.name),
      ["rpo.lostWrites > 0", "rto.max < 20s"],
    );
    const failure = cases(s)[0]?.failure as Node;
    assert.equal(failure.message, "rpo.lostWrites measured 0, objective > 0");
    assert.equal(failure.type, "ObjectiveMissed");
    assert.equal(s.failures, "1");
    assert.equal(s.tests, "2");
  });

  it("skips an inconclusive objective with its reason", () => {
    const skipped = cases(byName("replication-cut"))[1]?.skipped as Node;
    assert.equal(skipped.message, "inconclusive: 2 of 4 client(s) never completed a write after the fault");
  });

  it("adds a skipped testcase for a checker that failed, so an inconclusive run is not all green", () => {
    const s = byName("client-failover");
    assert.deepEqual(
      cases(s).map((c) => c.name),
      ["rto.max < 20s", "checker detection"],
    );
    assert.match(String((cases(s)[1]?.skipped as Node).message), /^inconclusive: checker detection failed: /);
    const props = Object.fromEntries(
      (((s.properties as Node).property ?? []) as Node[]).map((p) => [p.name, p.value]),
    );
    assert.equal(props["set.controller.mode"], "client");
    assert.equal(props.status, "inconclusive");
  });

  it("reports a drill that failed to run as an error with its whole message", () => {
    const s = byName("broken");
    const error = cases(s)[0]?.error as Node;
    assert.equal(cases(s)[0]?.name, "run");
    assert.equal(error.type, "TopologyStartError");
    assert.equal(error.message, "TopologyStartError: postgres did not start");
    assert.equal(error["#text"], "TopologyStartError: postgres did not start\nits log: <FATAL> & more");
    assert.equal(s.errors, "1");
  });

  it("skips an entry the suite never reached", () => {
    assert.match(String((cases(byName("later"))[0]?.skipped as Node).message), /^not run: /);
  });

  it("names each matrix run's cell in its classname and properties", () => {
    const s = byName("sync-vs-async cell 2 (database.replication=sync) run 1");
    assert.equal(cases(s)[0]?.classname, "failover-drill.weekly.sync-vs-async.02-replication-sync");
    const props = Object.fromEntries(
      (((s.properties as Node).property ?? []) as Node[]).map((p) => [p.name, p.value]),
    );
    assert.equal(props.cell, "02-replication-sync");
    assert.equal(props.report, "../../sync-vs-async/20260101T000000Z");
  });

  it("totals every testsuite in the root element", () => {
    assert.deepEqual([root.tests, root.failures, root.errors, root.skipped], ["12", "1", "1", "3"]);
  });

  it("is read by a JUnit consumer's parser with the same counts", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "suite-junit-"));
    try {
      const file = path.join(dir, "suite.junit.xml");
      await writeFile(file, xml);
      const parsed = parseJunit({ type: "junit", files: [file] });
      assert.equal(parsed.suites.length, 7);
      const cut = parsed.suites.find((s) => s.name === "replication-cut");
      assert.deepEqual(
        cut?.cases.map((c) => [c.name, c.status]),
        [
          ["rpo.lostWrites > 0", "FAIL"],
          ["rto.max < 20s", "SKIP"],
        ],
      );
      assert.equal(cut?.cases[0]?.failure, "rpo.lostWrites measured 0, objective > 0");
      const broken = parsed.suites.find((s) => s.name === "broken");
      assert.equal(broken?.cases[0]?.status, "FAIL");
      assert.equal(parsed.suites.find((s) => s.name === "region-outage")?.status, "PASS");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("escapes markup and drops characters XML cannot carry, keeping everything else", () => {
    const odd = `a <b> & "c" 'd' \u0001\u0008\u000b\uFFFE \uD800 ok 😀 ünï`;
    const r = result([
      entry(1, "odd", [
        run("odd", "fail", { objectives: [objective("rto.max", "< 20s", 25_000, false)], error: odd }),
      ]),
      entry(2, "odder", [run("odder", "error", { error: `line 1 ${odd}\nline 2\ttab` })]),
    ]);
    r.suite.description = odd;
    r.entries[0]!.overrides = { [`x${odd}`]: odd };
    const text = suiteJunit(r);
    assert.deepEqual(xmlErrors(text), []);
    const parsed = parseXml(text).testsuites as Node;
    const [first, second] = parsed.testsuite as Node[];
    const props = Object.fromEntries(
      (((first?.properties as Node).property ?? []) as Node[]).map((p) => [p.name, p.value]),
    );
    const clean = `a <b> & "c" 'd'   ok 😀 ünï`;
    assert.equal(props[`set.x${clean}`], clean);
    const error = ((second?.testcase as Node[])[0]?.error ?? {}) as Node;
    // Line breaks and tabs survive in attributes as character references.
    assert.equal(error.message, `line 1 ${clean}`);
    assert.equal(error["#text"], `line 1 ${clean}\nline 2\ttab`);
    assert.equal(
      ((first?.testcase as Node[])[0]?.failure as Node).message,
      "rto.max measured 25 s, objective < 20s",
    );
  });

  it("keeps a valid surrogate pair and drops a lone one", () => {
    assert.equal(xmlText("😀\uDC00x\uD83D"), "😀x");
    assert.equal(xmlText("a\nb", true), "a&#10;b");
  });
});

describe("suite.md", () => {
  const md = suiteMarkdown(mixed());

  it("heads with the suite's status and says it is incomplete", () => {
    assert.match(md, /^# Drill suite weekly: INTERRUPTED\n/);
    assert.match(md, /> \*\*INCOMPLETE\*\* \(interrupted\): 5 of 6 entries done\./);
    assert.match(md, /- Objectives: 7 met, 1 missed, 1 inconclusive/);
    assert.match(md, /- Status: \*\*INTERRUPTED\*\* \(exit 130\)/);
  });

  it("has a row per entry with its overrides, objectives, figures and a link to its report", () => {
    assert.match(
      md,
      /\| 1 \| region-outage \| drill \| {2}\| PASS \| 2 of 2 met \| 8\.14 s \| 5 \| 37s \| \[report\]\(\.\.\/\.\.\/region-outage\/20260101T000000Z\/report\.md\) \|/,
    );
    assert.match(md, /\| 3 \| client-failover \| drill \| controller\.mode=client \| INCONCLUSIVE \|/);
    assert.match(
      md,
      /\| 5 \| sync-vs-async \| matrix \(2 runs\) \|.*\[matrix\]\(\.\.\/\.\.\/sync-vs-async\/20260101T000300Z\/matrix\.md\) \|/,
    );
    assert.match(md, /\| 6 \| later \| drill \| {2}\| not run \| n\/a \|/);
  });

  it("lists what needs attention: misses with measured value and limit, inconclusive, errors, not run", () => {
    const attention = md.slice(md.indexOf("## Needs attention"), md.indexOf("## Runs"));
    assert.deepEqual(
      attention.split("\n").filter((l) => l.startsWith("- ")),
      [
        "- **replication-cut**: missed `rpo.lostWrites > 0`, measured 0",
        "- **replication-cut**: `rto.max < 20s` inconclusive: 2 of 4 client(s) never completed a write after the fault",
        "- **client-failover**: inconclusive: checker detection failed: the controller declared the primary down before the fault",
        "- **broken**: failed to run: TopologyStartError: postgres did not start\nits log: <FATAL> & more".split(
          "\n",
        )[0],
        "- **later**: not run (the suite was interrupted before it)",
      ],
    );
  });

  it("lists every drill run, a matrix's runs each on their own row", () => {
    const runs = md
      .slice(md.indexOf("## Runs"))
      .split("\n")
      .filter((l) => l.startsWith("| "));
    assert.equal(runs.length, 1 + 6);
    assert.match(
      runs.at(-1) ?? "",
      /^\| sync-vs-async cell 2 \(database\.replication=sync\) run 1 \| PASS \|/,
    );
    assert.match(md, /\| broken \| ERROR \| n\/a \|.*\| 37s \| {2}\|/);
  });

  it("escapes a pipe in a table cell", () => {
    const r = result([entry(1, "a", [run("a", "pass")], { overrides: { "app.command": "a | b" } })]);
    assert.match(suiteMarkdown(r), /app\.command=a \\\| b/);
  });
});

describe("suite console summary", () => {
  it("has one line per entry and what needs attention, without Markdown", () => {
    const text = suiteConsole(mixed());
    const lines = text.split("\n");
    assert.match(
      lines[0] ?? "",
      /^suite weekly: INTERRUPTED \(exit 130\) in 3m 41s; 6 entries, 6 drill runs; objectives 7 met, 1 missed, 1 inconclusive$/,
    );
    assert.match(lines[1] ?? "", /^ {3}1 region-outage +drill +PASS +2 of 2 met {2}RTO max 8\.14 s, lost 5$/);
    assert.ok(lines.includes("needs attention:"), text);
    assert.ok(lines.includes("  - replication-cut: missed rpo.lostWrites > 0, measured 0"), text);
    assert.ok(!text.includes("**"), text);
  });
});

describe("the suite's notification and step summary", () => {
  const regressions = [{ run: "region-outage", regressions: ["RTO max 12 s, was 8 s (+50 %)"] }];

  it("sends a Slack-compatible text naming the status, the runs that did not pass and the regressions", () => {
    const note = suiteNotification(mixed(), regressions);
    assert.equal(note.kind, "suite");
    assert.equal(note.exitCode, mixed().exitCode);
    assert.match(note.text, /^failover-drill suite weekly: INTERRUPTED \(exit 130\)\. 6 runs; /);
    assert.match(note.text, /Not passed: replication-cut fail/);
    assert.match(note.text, /Regressions: region-outage\.$/);
    assert.deepEqual(note.regressions, regressions);
  });

  it("appends the regressions to the suite's Markdown, and nothing when there are none", () => {
    const md = suiteOutcomeMarkdown(mixed(), regressions);
    assert.ok(md.startsWith(suiteMarkdown(mixed()).trimEnd()));
    assert.match(md, /\n## Regressions\n\n- region-outage: RTO max 12 s, was 8 s \(\+50 %\)\n$/);
    assert.equal(suiteOutcomeMarkdown(mixed(), []), `${suiteMarkdown(mixed()).trimEnd()}\n`);
  });
});
