import type { CommandModule } from "yargs";
import { DrillValidationError, formatProblem, loadDrill } from "../drill/load.ts";
import type { Platform } from "../drill/types.ts";
import { ExitCode } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { PLATFORM_OPTION } from "./options.ts";

export function validateCommand(
  io: CliIo,
  setExit: (code: number) => void,
): CommandModule<object, { files: string[]; platform?: Platform }> {
  return {
    command: "validate <files..>",
    describe: "Check drill files without starting anything",
    builder: (y) =>
      y
        .positional("files", { type: "string", array: true, demandOption: true })
        .option("platform", PLATFORM_OPTION) as never,
    handler: async (args) => {
      let failed = false;
      for (const file of args.files) {
        try {
          const drill = await loadDrill(file, args.platform === undefined ? {} : { platform: args.platform });
          io.out(
            `${file}: ok (${drill.name}: ${drill.regions.length} regions, ${drill.faults.length} faults, ` +
              `platform ${drill.platform})`,
          );
        } catch (err) {
          if (!(err instanceof DrillValidationError)) throw err;
          failed = true;
          for (const p of err.problems) io.err(formatProblem(p));
        }
      }
      setExit(failed ? ExitCode.invalidInput : ExitCode.ok);
    },
  };
}
