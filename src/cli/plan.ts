// `plan <file>`: its options and help; the handler (./handlers/plan.ts) loads the drill and the
// planner, so it is imported only when the command runs.
import type { CommandModule } from "yargs";
import type { PlanArgs } from "./handlers/plan.ts";
import type { CliIo } from "./io.ts";
import { PLATFORM_OPTION } from "./options.ts";

export function planCommand(io: CliIo, setExit: (code: number) => void): CommandModule<object, PlanArgs> {
  return {
    command: "plan <file>",
    describe:
      "Print the resolved drill without starting anything: timeline, topology, links, predictions, objectives, timeout",
    builder: (y) =>
      y
        .positional("file", { type: "string", demandOption: true, describe: "drill file (YAML)" })
        .option("platform", PLATFORM_OPTION)
        .option("json", { type: "boolean", default: false, describe: "print the plan as JSON" }) as never,
    handler: async (args) => (await import("./handlers/plan.ts")).handlePlan(args, io, setExit),
  };
}
