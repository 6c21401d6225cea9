// `compare <a> <b>`: its options and help; the handler (./handlers/compare.ts) is imported only when
// the command runs.
import type { CommandModule } from "yargs";
import type { CompareArgs } from "./handlers/compare.ts";
import type { CliIo } from "./io.ts";

export function compareCommand(
  io: CliIo,
  setExit: (code: number) => void,
): CommandModule<object, CompareArgs> {
  return {
    command: "compare <a> <b>",
    describe: "Show two runs side by side: figures, objectives, predicted, and what changed",
    builder: (y) =>
      y
        .positional("a", {
          type: "string",
          demandOption: true,
          describe: "run directory or report.json (A, the earlier)",
        })
        .positional("b", { type: "string", demandOption: true, describe: "run directory or report.json (B)" })
        .option("format", {
          type: "string",
          choices: ["console", "markdown"] as const,
          default: "console",
          describe: "what to print",
        })
        .option("markdown", {
          type: "string",
          describe: "also write the Markdown comparison to this file",
        }) as never,
    handler: async (args) => (await import("./handlers/compare.ts")).handleCompare(args, io, setExit),
  };
}
