// `cleanup`: lists and removes what earlier drills left behind. The handler (./handlers/cleanup.ts)
// is imported only when the command runs.
import type { CommandModule } from "yargs";
import type { CleanupArgs } from "./handlers/cleanup.ts";
import type { CliIo } from "./io.ts";

export function cleanupCommand(
  io: CliIo,
  setExit: (code: number) => void,
): CommandModule<object, CleanupArgs> {
  return {
    command: "cleanup",
    describe:
      "List and remove what earlier drills left behind (processes, workspaces, docker containers and networks carrying a drill's marker whose runner is gone)",
    builder: (y) =>
      y
        .option("dry-run", { type: "boolean", default: false, describe: "only list what would be removed" })
        .option("workdir", {
          type: "string",
          array: true,
          describe:
            "where to look for workspaces (default: $FAILOVER_DRILL_WORKDIR, /dev/shm and the temp directory)",
        }) as never,
    handler: async (args) => (await import("./handlers/cleanup.ts")).handleCleanup(args, io, setExit),
  };
}
