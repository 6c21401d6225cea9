// Unbound as a drill's caching recursive resolver: `unbound -d` in the foreground, unprivileged, its
// log on stderr into the directory's unbound.log, asking only the drill's authoritative server.
// Clients query it instead of the authoritative server, so the TTL countdown, prefetch and
// serve-expired are Unbound's own.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { daemonDir, handToUnprivileged, programPath, startDaemon } from "../daemon.ts";
import { freeDnsPort } from "../port.ts";
import type { DnsEndpoint } from "../provider.ts";
import { queryA } from "../resolver.ts";
import { unboundConf, type UnboundSettings } from "./config.ts";

export const UNBOUND = {
  command: "unbound",
  package: "unbound",
  purpose: "the caching recursive resolver clients query (dns.resolver unbound)",
};

export interface UnboundOptions {
  /** Process name for logs and errors, e.g. unbound-us-east. */
  name: string;
  host: string;
  /** Its config and log; default a temporary directory removed at close. */
  dir?: string;
  zone: string;
  authority: DnsEndpoint;
  settings: UnboundSettings;
}

export interface RunningUnbound {
  readonly name: string;
  readonly endpoint: DnsEndpoint;
  readonly logFile: string;
  close(): Promise<void>;
}

export async function startUnbound(o: UnboundOptions): Promise<RunningUnbound> {
  const unbound = programPath(UNBOUND);
  const workdir = await daemonDir(o.dir, "failover-drill-unbound");
  const port = await freeDnsPort(o.host);
  const conf = path.join(workdir.dir, "unbound.conf");
  const logFile = path.join(workdir.dir, "unbound.log");
  await writeFile(
    conf,
    unboundConf({
      dir: workdir.dir,
      host: o.host,
      port,
      zone: o.zone,
      authority: o.authority,
      settings: o.settings,
    }),
  );
  await writeFile(logFile, "");
  await handToUnprivileged([workdir.dir, conf, logFile]);
  const endpoint = { host: o.host, port };
  const daemon = await startDaemon({
    name: o.name,
    command: unbound,
    args: ["-d", "-c", conf],
    dir: workdir.dir,
    temporaryDir: workdir.temporary,
    logFile,
    // localhost is one of Unbound's own local zones: an answer without asking (or caching) upstream.
    ready: async () =>
      (await queryA(endpoint, "localhost", { timeoutMs: 200, attempts: 1 })).address === "127.0.0.1",
  });
  return { name: o.name, endpoint, logFile, close: () => daemon.stop() };
}
