// HAProxy's view of the members: `show servers state` on its stats socket, one line per server with
// its operational state (0 stopped = marked down, 2 running = up and taking connections).
import net from "node:net";

export interface ServerState {
  backend: string;
  server: string;
  /** srv_op_state: 0 stopped, 1 starting, 2 running, 3 stopping. */
  opState: number;
  up: boolean;
}

/** Parses `show servers state` output (format version 1: a version line, a `#` header, rows). */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split("\n").map((l) => l.trim());
  const header = lines.find((l) => l.startsWith("# "));
  if (header === undefined) return [];
  const columns = header.slice(2).split(/\s+/);
  const at = (name: string): number => {
    const i = columns.indexOf(name);
    if (i < 0) throw new Error(`show servers state has no ${name} column`);
    return i;
  };
  const [backend, server, opState] = [at("be_name"), at("srv_name"), at("srv_op_state")];
  return lines
    .filter((l) => l !== "" && !l.startsWith("#") && /^\d+\s/.test(l))
    .map((l) => l.split(/\s+/))
    .filter((cells) => cells.length > opState)
    .map((cells) => {
      const op = Number(cells[opState]);
      return { backend: cells[backend]!, server: cells[server]!, opState: op, up: op === 2 };
    });
}

/** Sends one command to the stats socket and returns everything HAProxy answers before closing. */
export function statsCommand(socketPath: string, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let data = "";
    const timer = setTimeout(
      () => socket.destroy(new Error(`no answer from ${socketPath} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${command}\n`));
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(data);
    });
  });
}

/** The servers of `backend` that the HAProxy behind `socketPath` has up right now. */
export async function upServers(socketPath: string, backend = "primary"): Promise<string[]> {
  const states = parseServersState(await statsCommand(socketPath, "show servers state"));
  return states.filter((s) => s.backend === backend && s.up).map((s) => s.server);
}
