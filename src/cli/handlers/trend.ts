// `failover-drill trend`: reads a trend store, prints the trend, writes trend.md and trend.html, and
// exits 1 on a regression of the latest run when asked (2 on bad input).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderTrendHtml } from "../../trend/html.ts";
import type { TrendOptions } from "../../trend/regressions.ts";
import { renderTrendConsole, renderTrendMarkdown } from "../../trend/render-text.ts";
import { readIndex } from "../../trend/store.ts";
import { buildTrend } from "../../trend/trend.ts";
import { FormatError } from "../../util/format-version.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";

export interface TrendArgs {
  dir: string;
  baseline: number;
  tolerance: number;
  toleranceMs: number;
  toleranceCount: number;
  sameDrill: boolean;
  failOnRegression: boolean;
  out?: string;
}

/** The options as trend options, or what is wrong with one of them. */
export function trendOptions(
  args: Omit<TrendArgs, "dir" | "failOnRegression" | "out">,
): TrendOptions | string {
  if (!Number.isInteger(args.baseline) || args.baseline < 1) {
    return `--baseline must be a whole number of runs from 1, got ${args.baseline}`;
  }
  for (const [flag, value] of [
    ["--tolerance", args.tolerance],
    ["--tolerance-ms", args.toleranceMs],
    ["--tolerance-count", args.toleranceCount],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) return `${flag} must be a number from 0, got ${value}`;
  }
  return {
    baselineRuns: args.baseline,
    tolerance: { relative: args.tolerance, ms: args.toleranceMs, count: args.toleranceCount },
    sameDrill: args.sameDrill,
  };
}

export async function handleTrend(
  args: TrendArgs,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  const options = trendOptions(args);
  if (typeof options === "string") {
    io.err(`error: ${options}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  let index;
  try {
    index = await readIndex(args.dir);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    io.err(`error: ${err.message}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  for (const w of index.warnings) io.err(`warning: ${w}`);
  if (index.entries.length === 0) {
    io.err(`error: ${index.file}: holds no runs: run a drill with --out pointing at its parent first`);
    setExit(ExitCode.invalidInput);
    return;
  }
  const trend = buildTrend(index.entries, options, index.file, index.warnings);
  io.out(renderTrendConsole(trend, { color: process.stdout.isTTY === true }));
  const out = args.out ?? path.dirname(index.file);
  await mkdir(out, { recursive: true });
  const md = path.join(out, "trend.md");
  const html = path.join(out, "trend.html");
  await Promise.all([writeFile(md, renderTrendMarkdown(trend)), writeFile(html, renderTrendHtml(trend))]);
  io.out(`wrote ${md} and ${html}`);
  const regressed = trend.latest.regressions.length > 0;
  setExit(args.failOnRegression && regressed ? ExitCode.objectiveMissed : ExitCode.ok);
}
