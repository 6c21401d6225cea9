// `failover-drill suite` for real, through the command-line program: two short drills on real
// PostgreSQL, proxies and DNS, the second a renamed copy of the first whose overrides shorten it and
// set an objective no run can meet. One suite.json, one suite.junit.xml, and the worst exit code.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { access, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { parse as parseJunit } from "test-results-parser";
import type { SuiteResult } from "../../src/suite/types.ts";

const DRILL = `name: short-outage
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
controller:
  healthCheck: { interval: 500ms, timeout: 250ms, failureThreshold: 2 }
dns: { ttl: 1s }
workload: { clients: 2, rate: 100/s, duration: 30s }
faults:
  - { at: 10s, type: region-outage, region: us-east }
recovery: { wait: 1s }
objectives:
  rto.max: "< 20s"
`;

// Both entries shorten the 30 s drill with overrides; the second also renames it and asks the
// impossible of it, so the suite exits 1 (an objective missed) with a <failure> naming both values.
const SUITE = (webhook: string): string => `name: it-suite
description: two short drills
notify: { url: "${webhook}", on: failure }
entries:
  - drill: short.yaml
    set:
      workload.duration: 8s
      faults[0].at: 3s
  - drill: short.yaml
    name: short-strict
    set:
      workload.duration: 7s
      faults[0].at: 3s
      objectives["rto.max"]: "< 1ms"
`;

/** Runs the bin (the compiled CLI) to its exit; output is kept for failure messages. */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/failover-drill.js", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("failover-drill suite (integration)", function () {
  this.timeout(240_000);
  let tmp: string;
  // The suite file's webhook: a real HTTP server that keeps every POST's body.
  const posts: unknown[] = [];
  const webhook = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      posts.push(JSON.parse(body));
      res.end("ok");
    });
  });
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "drill-suite-"));
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    const { port } = webhook.address() as AddressInfo;
    await writeFile(path.join(tmp, "short.yaml"), DRILL);
    await writeFile(path.join(tmp, "suite.yaml"), SUITE(`http://127.0.0.1:${port}/hook`));
  });
  after(async () => {
    webhook.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it("runs both drills, writes one summary and one JUnit file, and exits with the worst code", async () => {
    const out = path.join(tmp, "reports");
    const stepSummary = path.join(tmp, "step-summary.md");
    const { code, output } = await runCli(["suite", path.join(tmp, "suite.yaml"), "--out", out], {
      GITHUB_STEP_SUMMARY: stepSummary,
    });
    assert.equal(code, 1, output);
    assert.match(output, /^\[1\/2\] short-outage: PASS, objectives 1 of 1 met/m);
    assert.match(output, /^\[2\/2\] short-strict: FAIL, objectives 0 of 1 met, 1 missed/m);
    assert.match(output, /^ {2}- short-strict: missed rto\.max < 1ms, measured /m);

    // Each drill's normal run directory, the suite's own beside them.
    assert.deepEqual((await readdir(out)).sort(), ["it-suite", "short-outage", "short-strict"]);
    const [stamp, ...more] = await readdir(path.join(out, "it-suite"));
    assert.ok(stamp !== undefined && more.length === 0, "one suite directory");
    const dir = path.join(out, "it-suite", stamp);
    assert.deepEqual((await readdir(dir)).sort(), ["suite.json", "suite.junit.xml", "suite.md"]);

    const result = JSON.parse(await readFile(path.join(dir, "suite.json"), "utf8")) as SuiteResult;
    assert.equal(result.status, "fail");
    assert.equal(result.exitCode, 1);
    assert.equal(result.complete, true);
    assert.deepEqual(
      result.entries.map((e) => [
        e.name,
        e.status,
        e.exitCode,
        e.runs.length,
        e.overrides["workload.duration"],
      ]),
      [
        ["short-outage", "pass", 0, 1, "8s"],
        ["short-strict", "fail", 1, 1, "7s"],
      ],
    );
    for (const entry of result.entries) {
      const run = entry.runs[0];
      assert.ok(run?.reportDir, JSON.stringify(run));
      assert.equal(path.dirname(path.resolve(dir, run.reportDir)), path.join(out, entry.name));
      const report = JSON.parse(await readFile(path.resolve(dir, run.reportDir, "report.json"), "utf8")) as {
        drill: { name: string; workload: { durationMs: number } };
      };
      assert.equal(report.drill.name, entry.name);
      assert.equal(report.drill.workload.durationMs, entry.name === "short-strict" ? 7000 : 8000);
    }
    const missed = result.entries[1]?.runs[0]?.objectives[0];
    assert.equal(missed?.limit, "< 1ms");
    assert.equal(missed?.met, false);

    const xml = await readFile(path.join(dir, "suite.junit.xml"), "utf8");
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "",
      isArray: (n) => n === "testsuite" || n === "testcase",
    }).parse(xml) as {
      testsuites: {
        tests: string;
        failures: string;
        testsuite: Array<{ name: string; testcase: Array<{ name: string; failure?: { message: string } }> }>;
      };
    };
    assert.equal(doc.testsuites.tests, "2");
    assert.equal(doc.testsuites.failures, "1");
    assert.deepEqual(
      doc.testsuites.testsuite.map((s) => [s.name, s.testcase.map((c) => c.name)]),
      [
        ["short-outage", ["rto.max < 20s"]],
        ["short-strict", ["rto.max < 1ms"]],
      ],
    );
    assert.match(
      doc.testsuites.testsuite[1]?.testcase[0]?.failure?.message ?? "",
      /^rto\.max measured [\d.]+ s, objective < 1ms$/,
    );
    const parsed = parseJunit({ type: "junit", files: [path.join(dir, "suite.junit.xml")] });
    assert.deepEqual(
      parsed.suites.map((s) => [s.name, s.status]),
      [
        ["short-outage", "PASS"],
        ["short-strict", "FAIL"],
      ],
    );

    const md = await readFile(path.join(dir, "suite.md"), "utf8");
    assert.match(md, /^# Drill suite it-suite: FAIL$/m);

    // The suite failed, and its file asks for a notification on failure: one POST, and the step summary.
    assert.equal(posts.length, 1, output);
    const posted = posts[0] as { kind: string; suite: string; exitCode: number; text: string };
    assert.deepEqual([posted.kind, posted.suite, posted.exitCode], ["suite", "it-suite", 1]);
    assert.match(posted.text, /^failover-drill suite it-suite: FAIL \(exit 1\)\./);
    assert.match(await readFile(stepSummary, "utf8"), /^# Drill suite it-suite: FAIL$/m);
    await access(path.resolve(dir, result.entries[0]?.runs[0]?.reportDir ?? "", "report.md"));
  });
});
