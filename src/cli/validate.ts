// `validate <files..>`: its options and help; the handler (./handlers/validate.ts) loads the drill
// loader, so it is imported only when the command runs.
import type { CommandModule } from "yargs";
import type { ValidateArgs } from "./handlers/validate.ts";
import type { CliIo } from "./io.ts";
import { PLATFORM_OPTION } from "./options.ts";

export function validateCommand(
  io: CliIo,
  setExit: (code: number) => void,
): CommandModule<object, ValidateArgs> {
  return {
    command: "validate <files..>",
    describe: "Check drill (or suite) files without starting anything",
    builder: (y) =>
      y
        .positional("files", { type: "string", array: true, demandOption: true })
        .option("platform", PLATFORM_OPTION) as never,
    handler: async (args) => (await import("./handlers/validate.ts")).handleValidate(args, io, setExit),
  };
}
