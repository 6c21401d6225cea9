// `trend <dir>`: its options and help; the handler (./handlers/trend.ts) is imported only when the
// command runs.
import type { CommandModule } from "yargs";
import { DEFAULT_TREND_OPTIONS } from "../trend/options.ts";
import type { TrendArgs } from "./handlers/trend.ts";
import type { CliIo } from "./io.ts";

export function trendCommand(io: CliIo, setExit: (code: number) => void): CommandModule<object, TrendArgs> {
  return {
    command: "trend <dir>",
    describe: "Show a drill's key figures across runs (reports/<drill>/index.jsonl) and flag regressions",
    builder: (y) =>
      y
        .positional("dir", {
          type: "string",
          demandOption: true,
          describe: "a drill's reports directory (holding index.jsonl), or an index.jsonl file",
        })
        .option("baseline", {
          type: "number",
          default: DEFAULT_TREND_OPTIONS.baselineRuns,
          describe: "the rolling baseline is the median of this many runs before each run",
        })
        .option("tolerance", {
          type: "number",
          default: DEFAULT_TREND_OPTIONS.tolerance.relative,
          describe: "relative tolerance: a figure must be worse by more than this fraction (0.5 = 50%)",
        })
        .option("tolerance-ms", {
          type: "number",
          default: DEFAULT_TREND_OPTIONS.tolerance.ms,
          describe: "absolute tolerance for times: and by more than this many ms",
        })
        .option("tolerance-count", {
          type: "number",
          default: DEFAULT_TREND_OPTIONS.tolerance.count,
          describe: "absolute tolerance for counts (lost writes)",
        })
        .option("same-drill", {
          type: "boolean",
          default: false,
          describe: "compare each run only with earlier runs of the same drill definition",
        })
        .option("fail-on-regression", {
          type: "boolean",
          default: false,
          describe: "exit 1 when the latest run regressed",
        })
        .option("out", {
          type: "string",
          describe: "directory for trend.md and trend.html (default: beside index.jsonl)",
        }) as never,
    handler: async (args) => (await import("./handlers/trend.ts")).handleTrend(args, io, setExit),
  };
}
