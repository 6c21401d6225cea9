// `run <file>`: its options and help. The handler (./handlers/run.ts) loads the runner, so it is
// imported only when the command runs: --help stays fast.
import type { CommandModule } from "yargs";
import type { RunArgs } from "./handlers/run.ts";
import type { CliIo } from "./io.ts";
import { NOTIFY_OPTIONS } from "./notify-options.ts";
import { PLATFORM_OPTION } from "./options.ts";
import { TIMEOUT_OPTION } from "./timeout-option.ts";

export function runCommand(io: CliIo, setExit: (code: number) => void): CommandModule<object, RunArgs> {
  return {
    command: "run <file>",
    describe: "Run a drill and write its reports",
    builder: (y) =>
      y
        .positional("file", { type: "string", demandOption: true, describe: "drill file (YAML)" })
        .option("out", { type: "string", default: "reports", describe: "parent directory for reports" })
        .option("keep", { type: "boolean", default: false, describe: "keep the workspace (data dirs, logs)" })
        .option("toxiproxy-url", {
          type: "string",
          describe:
            "local platform: use this Toxiproxy server instead of the embedded one (also TOXIPROXY_URL)",
        })
        .option("platform", PLATFORM_OPTION)
        .option("timeout", TIMEOUT_OPTION)
        .options(NOTIFY_OPTIONS)
        .option("quiet", { type: "boolean", default: false, describe: "only print the summary" }) as never,
    handler: async (args) => (await import("./handlers/run.ts")).handleRun(args, io, setExit),
  };
}
