// suite.junit.xml: one <testsuite> per drill run (a drill entry's run; for a matrix, each run of each
// cell, so repeats keep their own verdicts), one <testcase> per objective. A missed objective is a
// <failure> with the measured value and the limit; an inconclusive one is <skipped> (it could not be
// decided; the exit code, 3, still says so), as in each run's report.junit.xml. A run that failed to
// run is one <testcase name="run"> with an <error>; one the suite never reached, or that was
// interrupted, is one <testcase name="run"> <skipped>; a checker that threw (which makes a run
// inconclusive) is one more <testcase name="checker NAME"> <skipped>.
import { showValue } from "../matrix/cells.ts";
import { fmtValue, objectiveLabel } from "../report/format.ts";
import type { ObjectiveResult } from "../summary/types.ts";
import type { SuiteEntryResult, SuiteResult, SuiteRun } from "./types.ts";

/**
 * Text safe anywhere in an XML 1.0 document: markup escaped, characters XML cannot carry at all
 * (controls, lone surrogates, U+FFFE/U+FFFF) dropped. `attribute` keeps line breaks and tabs, which
 * a parser would otherwise fold into spaces inside an attribute value.
 */
export function xmlText(s: string, attribute = false): string {
  const clean = s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
  return attribute ? clean.replace(/\r/g, "&#13;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;") : clean;
}

const attrs = (pairs: Record<string, string | number>): string =>
  Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${xmlText(String(v), true)}"`)
    .join("");

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

interface Case {
  name: string;
  /** undefined = passed. */
  outcome?: { kind: "failure" | "error" | "skipped"; message: string; type?: string; detail?: string };
}

interface Suite {
  name: string;
  classname: string;
  timestamp: string | null;
  durationMs: number;
  properties: Record<string, string>;
  cases: Case[];
  out: string;
}

function objectiveCase(o: ObjectiveResult): Case {
  const name = objectiveLabel(o);
  if (o.met === true) return { name };
  if (o.met === false) {
    const measured = fmtValue(o.measured, o.unit);
    const message = `${o.name} measured ${measured}, objective ${o.limit}`;
    return { name, outcome: { kind: "failure", message, type: "ObjectiveMissed", detail: message } };
  }
  return {
    name,
    outcome: { kind: "skipped", message: `inconclusive: ${o.reason ?? `${o.name} was not measured`}` },
  };
}

function runCases(run: SuiteRun): Case[] {
  if (run.status === "error") {
    const message = run.error ?? "the drill failed to run";
    const type = /^(\w+):/.exec(message)?.[1] ?? "InfrastructureError";
    return [
      {
        name: "run",
        outcome: { kind: "error", message: message.split("\n")[0] ?? message, type, detail: message },
      },
    ];
  }
  if (run.status === "interrupted") {
    return [
      {
        name: "run",
        outcome: { kind: "skipped", message: "interrupted: the drill was stopped before it finished" },
      },
    ];
  }
  // A checker that threw leaves the run inconclusive even when every objective it judged was met.
  const checkers: Case[] = run.failedCheckers.map((note) => ({
    name: `checker ${/^checker (\S+)/.exec(note)?.[1] ?? ""}`.trim(),
    outcome: { kind: "skipped", message: `inconclusive: ${note}` },
  }));
  return [...run.objectives.map(objectiveCase), ...checkers];
}

function suitesOf(result: SuiteResult, entry: SuiteEntryResult): Suite[] {
  const classBase = `failover-drill.${result.suite.name}.${entry.name}`;
  const common: Record<string, string> = {
    entry: String(entry.index),
    kind: entry.kind,
    file: entry.file,
    ...Object.fromEntries(Object.entries(entry.overrides).map(([k, v]) => [`set.${k}`, showValue(v)])),
  };
  if (entry.status === "not-run") {
    return [
      {
        name: entry.name,
        classname: classBase,
        timestamp: null,
        durationMs: 0,
        properties: { ...common, status: "not-run" },
        cases: [
          {
            name: "run",
            outcome: { kind: "skipped", message: "not run: the suite was interrupted before this entry" },
          },
        ],
        out: "",
      },
    ];
  }
  return entry.runs.map((run) => ({
    name: run.label,
    classname: run.cell === undefined ? classBase : `${classBase}.${run.cell}`,
    timestamp: run.startedAt,
    durationMs: run.durationMs,
    properties: {
      ...common,
      status: run.status,
      ...(run.reportDir === null ? {} : { report: run.reportDir }),
      ...(run.cell === undefined ? {} : { cell: run.cell, run: String(run.run ?? 1) }),
    },
    cases: runCases(run),
    out: [
      `${run.label}: ${run.status.toUpperCase()}`,
      ...(run.reportDir === null ? [] : [`report: ${run.reportDir}`]),
      ...(run.error === undefined ? [] : [run.error]),
    ].join("\n"),
  }));
}

function counts(cases: readonly Case[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome?.kind === "failure").length,
    errors: cases.filter((c) => c.outcome?.kind === "error").length,
    skipped: cases.filter((c) => c.outcome?.kind === "skipped").length,
  };
}

function renderCase(c: Case, classname: string): string[] {
  const head = attrs({ name: c.name, classname, time: "0" });
  if (c.outcome === undefined) return [`    <testcase${head}/>`];
  const { kind, message, type, detail } = c.outcome;
  const attributes = attrs({ message, ...(type === undefined ? {} : { type }) });
  const element =
    detail === undefined ? `<${kind}${attributes}/>` : `<${kind}${attributes}>${xmlText(detail)}</${kind}>`;
  return [`    <testcase${head}>`, `      ${element}`, "    </testcase>"];
}

export function suiteJunit(result: SuiteResult): string {
  const suites = result.entries.flatMap((entry) => suitesOf(result, entry));
  const total = counts(suites.flatMap((s) => s.cases));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: `failover-drill suite ${result.suite.name}`, ...total, time: seconds(result.durationMs) })}>`,
  ];
  for (const s of suites) {
    const head = attrs({
      name: s.name,
      ...counts(s.cases),
      time: seconds(s.durationMs),
      ...(s.timestamp === null ? {} : { timestamp: s.timestamp }),
    });
    lines.push(`  <testsuite${head}>`, "    <properties>");
    for (const [name, value] of Object.entries(s.properties)) {
      lines.push(`      <property${attrs({ name, value })}/>`);
    }
    lines.push("    </properties>");
    for (const c of s.cases) lines.push(...renderCase(c, s.classname));
    if (s.out !== "") lines.push(`    <system-out>${xmlText(s.out)}</system-out>`);
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return lines.join("\n") + "\n";
}
