// `failover-drill suite`: loads the suite (every entry validated with its overrides), lists it
// (--dry-run) or runs every entry in order. Imported only when the command runs.
import { formatProblem } from "../../drill/load.ts";
import type { Platform } from "../../drill/types.ts";
import { cellLabel, showValue } from "../../matrix/load.ts";
import { progressOutcome, progressPrefix } from "../../matrix/progress.ts";
import { MissingComponentsError, missingRequirements } from "../../platform/requirements.ts";
import { drillRequirements } from "../../runner/requirements.ts";
import { suiteConsole } from "../../suite/console.ts";
import { loadSuite, plannedRuns, SuiteValidationError } from "../../suite/load.ts";
import { fmtElapsed, objectiveCounts, statusText } from "../../suite/markdown.ts";
import { runSuite, SUITE_FILES, type SuiteProgressEvent } from "../../suite/run.ts";
import type { PlannedEntry, SuitePlan } from "../../suite/types.ts";
import { parseTimeoutOption } from "../timeout-option.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";
import { TOXIPROXY_URL_ON_DOCKER, TOXIPROXY_URL_ON_EXTERNAL } from "../options.ts";
import { withInterruptSignal } from "../signals.ts";
import { notifyUrlProblem } from "../../notify/notify.ts";
import type { NotifyOn } from "../../notify/on.ts";
import { reportSuiteOutcome } from "./suite-outcome.ts";

export interface SuiteArgs {
  file: string;
  /** Override the suite file's notify.url / notify.on. */
  notify?: string;
  notifyOn?: NotifyOn;
  out?: string;
  keep: boolean;
  toxiproxyUrl?: string;
  platform?: Platform;
  timeout?: string;
  verbose: boolean;
  dryRun: boolean;
}

function drillsOf(entry: PlannedEntry) {
  return entry.kind === "drill" ? [entry.drill] : entry.plan.cells.map((cell) => cell.drill);
}

function describeEntry(entry: PlannedEntry, position: number): string {
  const set = entry.overrides.map((o) => `${o.path}=${showValue(o.value)}`);
  const what =
    entry.kind === "drill"
      ? `drill ${entry.name} (${entry.path})`
      : `matrix ${entry.name} (${entry.path}): ${entry.plan.cells.length} cells × ${entry.plan.spec.repeat} ` +
        `run${entry.plan.spec.repeat === 1 ? "" : "s"} of ${entry.plan.baseDrill.name}`;
  return `  ${position}. ${what}${set.length > 0 ? `; set ${set.join(", ")}` : ""}`;
}

export async function handleSuite(
  args: SuiteArgs,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  const timeout = parseTimeoutOption(args.timeout);
  if (timeout.problem !== undefined) {
    io.err(`error: ${timeout.problem}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  let plan: SuitePlan;
  try {
    plan = await loadSuite(args.file, args.platform === undefined ? {} : { platform: args.platform });
  } catch (err) {
    if (!(err instanceof SuiteValidationError)) throw err;
    for (const p of err.problems) io.err(formatProblem(p));
    setExit(ExitCode.invalidInput);
    return;
  }
  const notifyUrl = args.notify ?? plan.spec.notify?.url;
  const notifyOn = args.notifyOn ?? plan.spec.notify?.on ?? "failure";
  const urlProblem = args.notify === undefined ? null : notifyUrlProblem(args.notify);
  if (urlProblem !== null) {
    io.err(`error: ${urlProblem}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  const platforms = new Set(plan.entries.flatMap(drillsOf).map((d) => d.platform));
  if (args.toxiproxyUrl !== undefined && (platforms.has("docker") || platforms.has("external"))) {
    io.err(`error: ${platforms.has("docker") ? TOXIPROXY_URL_ON_DOCKER : TOXIPROXY_URL_ON_EXTERNAL}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  // Every entry is checked before the first starts, as `run` checks its one drill.
  const blocked = plan.entries.flatMap((entry, i) => {
    const missing = missingRequirements(drillsOf(entry).flatMap(drillRequirements));
    return missing.length === 0
      ? []
      : [`entries[${i}] ${new MissingComponentsError(entry.name, missing).message}`];
  });
  const out = args.out ?? plan.spec.out;
  const runs = plannedRuns(plan);
  io.out(
    `suite ${plan.spec.name}: ${plan.entries.length} entries, ${runs} drill run${runs === 1 ? "" : "s"}`,
  );
  if (args.dryRun) {
    for (const [i, entry] of plan.entries.entries()) {
      io.out(describeEntry(entry, i + 1));
      if (entry.kind === "matrix") {
        for (const cell of entry.plan.cells) io.out(`       ${cellLabel(cell, entry.plan.columns)}`);
      }
    }
    for (const line of blocked) io.out(`cannot run here: ${line}`);
    io.out(
      `would write ${out}/${plan.spec.name}/<timestamp>/${SUITE_FILES.markdown} (and .json, .junit.xml)`,
    );
    setExit(ExitCode.ok);
    return;
  }
  if (blocked.length > 0) {
    for (const line of blocked) io.err(`error: ${line}`);
    setExit(ExitCode.infrastructure);
    return;
  }

  // Ctrl-C / SIGTERM abort the running drill (which heals and stops everything it started); the
  // summary of the entries done so far is written before exiting.
  const stopping = "stopping the running drill; the summary will hold the entries done so far";
  await withInterruptSignal(io, stopping, async (signal) => {
    const { result, dir } = await runSuite(plan, {
      out,
      keep: args.keep,
      signal,
      ...(args.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: args.toxiproxyUrl }),
      ...(timeout.ms === undefined ? {} : { timeoutMs: timeout.ms }),
      ...(args.verbose ? { log: (line: string) => io.out(`      ${line}`) } : {}),
      onProgress: (event) => progress(event, io),
    });
    io.out(suiteConsole(result));
    io.out(`reports: ${dir}/${SUITE_FILES.markdown}`);
    await reportSuiteOutcome(
      io,
      { ...(notifyUrl === undefined ? {} : { notify: notifyUrl }), notifyOn },
      result,
      dir,
    );
    if (result.interrupted) io.err("suite interrupted; the summary holds the entries done so far");
    setExit(result.exitCode);
  });
}

function progress(event: SuiteProgressEvent, io: CliIo): void {
  if (event.type === "matrix") {
    if (event.event.type === "run-end" && event.entry.kind === "matrix") {
      const prefix = progressPrefix(event.event, event.entry.plan.columns);
      io.out(`    ${prefix}${progressOutcome(event.event.record, null)}`);
    }
    return;
  }
  const where = `[${event.position}/${event.count}] ${event.entry.name}`;
  if (event.type === "entry-start") {
    io.out(`${where} (${event.entry.kind} ${event.entry.path}) ...`);
    return;
  }
  const r = event.result;
  const error = r.error === undefined ? "" : `: ${r.error.split("\n")[0] ?? ""}`;
  io.out(
    `${where}: ${statusText(r.status)}${error}, objectives ${objectiveCounts(r.runs)} (${fmtElapsed(r.durationMs)})`,
  );
}
