// `matrix <file>`: its options and help; the handler (./handlers/matrix.ts) is imported only when the
// command runs.
import type { CommandModule } from "yargs";
import type { MatrixArgs } from "./handlers/matrix.ts";
import type { CliIo } from "./io.ts";
import { NOTIFY_OPTIONS } from "./notify-options.ts";
import { PLATFORM_OPTION } from "./options.ts";
import { TIMEOUT_OPTION } from "./timeout-option.ts";

export function matrixCommand(io: CliIo, setExit: (code: number) => void): CommandModule<object, MatrixArgs> {
  return {
    command: "matrix <file>",
    describe: "Run a base drill over a grid of parameters and write one comparison report",
    builder: (y) =>
      y
        .positional("file", { type: "string", demandOption: true, describe: "matrix file (YAML)" })
        .option("out", { type: "string", default: "reports", describe: "parent directory for reports" })
        .option("keep", { type: "boolean", default: false, describe: "keep each run's workspace" })
        .option("toxiproxy-url", {
          type: "string",
          describe:
            "local platform: use this Toxiproxy server instead of the embedded one (also TOXIPROXY_URL)",
        })
        .option("platform", PLATFORM_OPTION)
        .option("timeout", TIMEOUT_OPTION)
        .options(NOTIFY_OPTIONS)
        .option("verbose", { type: "boolean", default: false, describe: "print every drill's log" })
        .option("dry-run", {
          type: "boolean",
          default: false,
          describe: "validate every cell and list them; start nothing",
        }) as never,
    handler: async (args) => (await import("./handlers/matrix.ts")).handleMatrix(args, io, setExit),
  };
}
