// `toxiproxy`: its options and help; the handler (./handlers/toxiproxy.ts) is imported only when the
// command runs.
import type { CommandModule } from "yargs";
import type { ToxiproxyArgs } from "./handlers/toxiproxy.ts";
import type { CliIo } from "./io.ts";

export function toxiproxyCommand(
  io: CliIo,
  setExit: (code: number) => void,
): CommandModule<object, ToxiproxyArgs> {
  return {
    command: "toxiproxy",
    describe: "Run the embedded Toxiproxy-compatible server on its own (like toxiproxy-server)",
    builder: (y) =>
      y
        .option("host", {
          type: "string",
          default: "127.0.0.1",
          describe: "address the HTTP API listens on (loopback unless told otherwise)",
        })
        .option("port", { type: "number", default: 8474, describe: "HTTP API port (0 picks a free one)" })
        .option("config", {
          type: "string",
          describe: "JSON file with a list of proxies to create at start (the body of POST /populate)",
        }) as never,
    handler: async (args) => (await import("./handlers/toxiproxy.ts")).handleToxiproxy(args, io, setExit),
  };
}
