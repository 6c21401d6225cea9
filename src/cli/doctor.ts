// `doctor [files..]`: what is installed for which drills. The handler (./handlers/doctor.ts) loads
// the components' registries, so it is imported only when the command runs.
import type { CommandModule } from "yargs";
import type { DoctorArgs } from "./handlers/doctor.ts";
import type { CliIo } from "./io.ts";

export function doctorCommand(io: CliIo, setExit: (code: number) => void): CommandModule<object, DoctorArgs> {
  return {
    command: "doctor [files..]",
    describe:
      "List the programs each failover manager and DNS provider needs, whether they are installed, and which drills need them (default: drills/*.yaml)",
    builder: (y) =>
      y.positional("files", {
        type: "string",
        array: true,
        describe: "drill or matrix files to check (default: every .yaml in drills/)",
      }) as never,
    handler: async (args) => (await import("./handlers/doctor.ts")).handleDoctor(args, io, setExit),
  };
}
