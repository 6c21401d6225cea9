// `suite <file>`: its options and help; the handler (./handlers/suite.ts) is imported only when the
// command runs.
import type { CommandModule } from "yargs";
import type { SuiteArgs } from "./handlers/suite.ts";
import type { CliIo } from "./io.ts";
import { NOTIFY_OPTIONS } from "./notify-options.ts";
import { PLATFORM_OPTION } from "./options.ts";
import { TIMEOUT_OPTION } from "./timeout-option.ts";

export function suiteCommand(io: CliIo, setExit: (code: number) => void): CommandModule<object, SuiteArgs> {
  return {
    command: "suite <file>",
    describe:
      "Run a list of drills and matrices in order and write one combined summary (Markdown, JSON, JUnit)",
    builder: (y) =>
      y
        .positional("file", { type: "string", demandOption: true, describe: "suite file (YAML)" })
        .option("out", {
          type: "string",
          describe: "parent directory for reports (default: the suite's out, else reports)",
        })
        .option("keep", { type: "boolean", default: false, describe: "keep each run's workspace" })
        .option("toxiproxy-url", {
          type: "string",
          describe:
            "local platform: use this Toxiproxy server instead of the embedded one (also TOXIPROXY_URL)",
        })
        .option("platform", PLATFORM_OPTION)
        .option("timeout", TIMEOUT_OPTION)
        .option("verbose", { type: "boolean", default: false, describe: "print every drill's log" })
        .option("notify", {
          ...NOTIFY_OPTIONS.notify,
          describe: `${NOTIFY_OPTIONS.notify.describe} (overrides the suite's notify.url)`,
        })
        // No default here: the suite file's notify.on applies unless this is given.
        .option("notify-on", {
          type: "string",
          choices: NOTIFY_OPTIONS["notify-on"].choices,
          describe: `${NOTIFY_OPTIONS["notify-on"].describe} (default: the suite's notify.on, else failure)`,
        })
        .option("dry-run", {
          type: "boolean",
          default: false,
          describe: "validate every entry (and every matrix cell) and list them; start nothing",
        }) as never,
    handler: async (args) => (await import("./handlers/suite.ts")).handleSuite(args, io, setExit),
  };
}
