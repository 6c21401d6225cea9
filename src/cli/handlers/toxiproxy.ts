// `failover-drill toxiproxy`: the embedded Toxiproxy-compatible server on its own, like
// `toxiproxy-server` (same default port, a `--config` proxy list populated at start, SIGINT/SIGTERM
// close it cleanly). It binds the API to loopback unless told otherwise: the API can open listeners
// on any port, so it should not be reachable from the network by accident.
import { readFile } from "node:fs/promises";
import { TOXIPROXY_API_VERSION, ToxiproxyServer } from "../../toxiproxy/server.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";

export interface ToxiproxyArgs {
  host: string;
  port: number;
  config?: string;
}

/** Toxiproxy logs a bad config file and serves anyway; so do we, saying what went wrong. */
async function populateFromFile(server: ToxiproxyServer, file: string, io: CliIo): Promise<void> {
  let list: unknown;
  try {
    list = JSON.parse(await readFile(file, "utf8")) as unknown;
  } catch (err) {
    io.err(`error reading config ${file}: ${(err as Error).message}`);
    return;
  }
  try {
    const proxies = await server.populate(list);
    for (const p of proxies) {
      io.out(`proxy ${p.name}: ${p.enabled ? `listening on ${p.listen}` : "disabled"} -> ${p.upstream}`);
    }
    io.out(`populated ${proxies.length} prox${proxies.length === 1 ? "y" : "ies"} from ${file}`);
  } catch (err) {
    io.err(`failed to populate proxies from ${file}: ${(err as Error).message}`);
  }
}

export async function handleToxiproxy(
  args: ToxiproxyArgs,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    io.err(`error: --port must be a whole number from 0 to 65535, got ${String(args.port)}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  let stop: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  // Listening for signals before anything starts, so a signal during start-up still closes it all.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  let server: ToxiproxyServer | undefined;
  try {
    try {
      server = await ToxiproxyServer.start({ host: args.host, port: args.port });
    } catch (err) {
      io.err(`error: cannot listen on ${args.host}:${args.port}: ${(err as Error).message}`);
      setExit(ExitCode.infrastructure);
      return;
    }
    if (!isLoopback(args.host)) {
      // Toxiproxy's API has no authentication, and it can open a listener on any port of the machine.
      io.err(
        `warning: the API listens on ${args.host}, beyond loopback, without authentication: anyone who ` +
          "reaches it can create proxies and cut connections; keep it on 127.0.0.1 or behind a firewall",
      );
    }
    if (args.config !== undefined) await populateFromFile(server, args.config, io);
    io.out(`toxiproxy API listening on ${server.url} (API ${TOXIPROXY_API_VERSION})`);
    const signal = await stopped;
    io.out(`${signal}: closing every proxy and the API`);
    await server.close();
    setExit(ExitCode.ok);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await server?.close();
  }
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine reaches. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
