// The files of one run's directory, by name, and how the run writes them. The runner writes them and
// `failover-drill check` reads them back (stored-run.ts); naming them once keeps the two in step.
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderFinalState } from "../history/final-state.ts";
import type { FinalRead } from "../history/types.ts";
import { REPORT_FILES } from "../report/index.ts";
import type { Summary } from "../summary/types.ts";

export const RUN_FILES = {
  /** Every op and event, streamed as they happen (src/history/format.ts). */
  history: "history.jsonl",
  /** Every node's ids, role and position after the recovery wait (src/history/final-state.ts). */
  finalState: "final-state.json",
  /** The summary with the drill embedded (src/report/json.ts). */
  report: "report.json",
} as const;

/** A run directory's name: the start time to the second, e.g. 20260101T120000Z. */
export function reportTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/**
 * Creates `dir`, or `dir-2`, `dir-3`... when another run (a drill, matrix or suite started in the same
 * second, here or in another process) already took it: mkdir of the last component is atomic, so two
 * runs never share a directory.
 */
export async function freshDirectory(dir: string): Promise<string> {
  await mkdir(path.dirname(dir), { recursive: true });
  let lastError: unknown;
  for (let n = 1; n <= MAX_SAME_SECOND_RUNS; n++) {
    const candidate = n === 1 ? dir : `${dir}-${n}`;
    try {
      await mkdir(candidate);
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      lastError = err;
    }
  }
  throw lastError;
}

/** More runs than this in one second under one name means something else is wrong (e.g. a file system that says EEXIST to everything). */
const MAX_SAME_SECOND_RUNS = 1000;

/**
 * The run's directory cannot be made or written before the drill starts (a read-only, full or
 * missing place, a file where a directory should be): nothing was started (exit 2).
 */
export class OutputDirectoryError extends Error {
  override name = "OutputDirectoryError";
}

/** A run's evidence or reports could not be written after the drill ran; everything was stopped (exit 3). */
export class ReportWriteError extends Error {
  override name = "ReportWriteError";
}

/** "EROFS: read-only file system" from a Node error, without the path (the message names it). */
function cause(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = e.message.replace(/, \w+ '.*'$/, "");
  return e.code !== undefined && !text.startsWith(e.code) ? `${e.code}: ${text}` : text;
}

/**
 * Makes the run's directory (freshDirectory: `dir`, or `dir-2`... when taken) and proves it takes a
 * file, before anything starts; returns the directory made: a run that cannot
 * keep its evidence must not start a drill (as root, permissions do not stop writes; EROFS, ENOSPC,
 * ENOTDIR do).
 */
export async function prepareRunDirectory(dir: string): Promise<string> {
  let made: string | undefined;
  try {
    made = await freshDirectory(dir);
    const probe = path.join(made, ".write-probe");
    await writeFile(probe, "failover-drill checks that its reports can be written here\n".repeat(64));
    await rm(probe);
    return made;
  } catch (err) {
    if (made !== undefined) await rm(path.join(made, ".write-probe"), { force: true }).catch(() => {});
    const real = await mkdirCause(dir, err);
    throw new OutputDirectoryError(`cannot write the run's reports to ${dir}: ${cause(real)}`, {
      cause: real,
    });
  }
}

/**
 * A recursive mkdir may report ENOENT for what is EROFS or EACCES: the first missing level made on
 * its own says why.
 */
async function mkdirCause(dir: string, err: unknown): Promise<unknown> {
  if ((err as NodeJS.ErrnoException).code !== "ENOENT") return err;
  let missing = dir;
  while (path.dirname(missing) !== missing && !(await exists(path.dirname(missing))))
    missing = path.dirname(missing);
  try {
    await mkdir(missing);
    await rm(missing, { recursive: true });
    return err;
  } catch (real) {
    return real;
  }
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

async function write(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (err) {
    throw new ReportWriteError(`cannot write ${file}: ${cause(err)}`, { cause: err });
  }
}

export async function writeFinalState(dir: string, reads: readonly FinalRead[]): Promise<void> {
  await write(path.join(dir, RUN_FILES.finalState), renderFinalState(reads));
}

/** Every format in the REPORT_FILES registry (each tried: the first failure is thrown). */
export async function writeReportFiles(dir: string, summary: Summary): Promise<void> {
  const results = await Promise.allSettled(
    REPORT_FILES.map(({ file, render }) => write(path.join(dir, file), render(summary))),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}
