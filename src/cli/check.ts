// `check <dir>`: its options and help. The handler (./handlers/check.ts) loads the checkers and the
// report renderers, so it is imported only when the command runs: --help stays fast.
import type { CommandModule } from "yargs";
import type { CheckArgs } from "./handlers/check.ts";
import type { CliIo } from "./io.ts";

export function checkCommand(io: CliIo, setExit: (code: number) => void): CommandModule<object, CheckArgs> {
  return {
    command: "check <dir>",
    describe:
      "Re-run every checker on a stored run (history.jsonl, final-state.json, report.json) and write fresh reports",
    builder: (y) =>
      y
        .positional("dir", { type: "string", demandOption: true, describe: "a run's report directory" })
        .option("out", {
          type: "string",
          describe: "directory for the fresh reports (default: <dir>/check-<timestamp>/)",
        }) as never,
    handler: async (args) => (await import("./handlers/check.ts")).handleCheck(args, io, setExit),
  };
}
