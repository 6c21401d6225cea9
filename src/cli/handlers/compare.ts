// `failover-drill compare`: two runs' report.json files side by side. Exit 0, or 2 when a run cannot
// be read (naming the file and what is wrong).
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseSummaryJson } from "../../report/json.ts";
import { RUN_FILES } from "../../runner/run-files.ts";
import type { Summary } from "../../summary/types.ts";
import { compareRuns } from "../../trend/compare.ts";
import { renderCompareConsole, renderCompareMarkdown } from "../../trend/compare-render.ts";
import { FormatError } from "../../util/format-version.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";

export interface CompareArgs {
  a: string;
  b: string;
  format: "console" | "markdown";
  markdown?: string;
}

/** A run directory's report.json, or the report.json named; FormatError when missing or unreadable. */
export async function readRunSummary(dirOrFile: string): Promise<Summary> {
  const isDir = await stat(dirOrFile).then(
    (s) => s.isDirectory(),
    () => null,
  );
  if (isDir === null) throw new FormatError(dirOrFile, "no such run directory or report.json");
  const file = isDir ? path.join(dirOrFile, RUN_FILES.report) : dirOrFile;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FormatError(
      file,
      code === "ENOENT"
        ? "missing: name a run's report directory (reports/<drill>/<timestamp>/)"
        : (err as Error).message,
    );
  }
  return parseSummaryJson(text, file);
}

export async function handleCompare(
  args: CompareArgs,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  let a: Summary;
  let b: Summary;
  try {
    a = await readRunSummary(args.a);
    b = await readRunSummary(args.b);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    io.err(`error: ${err.message}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  const comparison = compareRuns({ name: args.a, summary: a }, { name: args.b, summary: b });
  const markdown = renderCompareMarkdown(comparison);
  io.out(
    args.format === "markdown"
      ? markdown
      : renderCompareConsole(comparison, { color: process.stdout.isTTY === true }),
  );
  if (args.markdown !== undefined) {
    await writeFile(args.markdown, markdown);
    io.out(`wrote ${args.markdown}`);
  }
  setExit(ExitCode.ok);
}
