// BIND 9 as the drill's DNS provider: named in the foreground (-g, its log on stderr into the
// directory's named.log), authoritative for the drill's zone, every record change an RFC 2136 update
// signed with the run's TSIG key, sent in process (setRecord resolves when BIND answered NOERROR).
// BIND only listens on addresses an interface has: 127.0.0.1 always works; another loopback address
// such as a region's 127.0.N.1 first needs `ip addr add 127.0.N.1/8 dev lo` (as root).
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startDaemon, daemonDir, handToUnprivileged, programPath } from "../daemon.ts";
import { UPDATE_KEY_NAME } from "../embedded.ts";
import { freeDnsPort } from "../port.ts";
import {
  DEFAULT_ZONE,
  type DnsProvider,
  type DnsProviderKind,
  type DnsProviderOptions,
} from "../provider.ts";
import { queryA } from "../resolver.ts";
import { generateTsigKey } from "../tsig.ts";
import { replaceA } from "../update.ts";
import { sendUpdate } from "../update-client.ts";
import { isInZone } from "../wire.ts";
import { namedConf, NS_LABEL, zoneFile } from "./config.ts";

const NAMED = {
  command: "named",
  package: "bind9",
  purpose: "the authoritative DNS server (dns.server bind9)",
};

/** The log file named writes in its directory. */
export const NAMED_LOG = "named.log";

export class Bind9Error extends Error {
  override name = "Bind9Error";
}

/** Whether an interface has `host` (BIND listens only on those). */
function onAnInterface(host: string): boolean {
  return Object.values(os.networkInterfaces()).some((addresses) =>
    addresses?.some((a) => a.address === host),
  );
}

async function start({ host, zone = DEFAULT_ZONE, dir }: DnsProviderOptions): Promise<DnsProvider> {
  const named = programPath(NAMED);
  if (!onAnInterface(host)) {
    throw new Bind9Error(
      `BIND listens only on addresses present on an interface and ${host} is on none: ` +
        `use 127.0.0.1, or add it first (as root: ip addr add ${host}/8 dev lo)`,
    );
  }
  const workdir = await daemonDir(dir, "failover-drill-bind9");
  const port = await freeDnsPort(host);
  const key = generateTsigKey(UPDATE_KEY_NAME);
  const files = {
    conf: path.join(workdir.dir, "named.conf"),
    zone: path.join(workdir.dir, "zone.db"),
    log: path.join(workdir.dir, NAMED_LOG),
  };
  const config = { dir: workdir.dir, host, port, zone, zoneFile: files.zone, key };
  await writeFile(files.conf, namedConf(config), { mode: 0o600 });
  await writeFile(files.zone, zoneFile(config), { mode: 0o600 });
  await writeFile(files.log, "", { mode: 0o600 });
  await handToUnprivileged([workdir.dir, ...Object.values(files)]);
  const endpoint = { host, port };
  const daemon = await startDaemon({
    name: "named",
    command: named,
    // -g: foreground, log to stderr; -n 1: one worker thread is plenty for one zone on a shared machine.
    args: ["-g", "-n", "1", "-c", files.conf],
    dir: workdir.dir,
    temporaryDir: workdir.temporary,
    logFile: files.log,
    // The zone is loaded once it answers for its own name server.
    ready: async () =>
      (await queryA(endpoint, `${NS_LABEL}.${zone}`, { timeoutMs: 200, attempts: 1 })).address === host,
  });
  return {
    name: "bind9",
    endpoint,
    update: {
      endpoint,
      zone,
      keyName: key.name,
      algorithm: key.algorithm,
      secret: key.secret.toString("base64"),
    },
    async setRecord(name, address, ttlMs) {
      if (!isInZone(name, zone)) throw new Bind9Error(`${name} is outside the zone ${zone} BIND serves`);
      const changes = replaceA(name, address, Math.ceil(ttlMs / 1000));
      await sendUpdate(endpoint, { zone, changes, key, timeoutMs: 500, attempts: 3 });
    },
    close: () => daemon.stop(),
  };
}

export const bind9Dns = {
  name: "bind9" as const,
  description:
    "BIND 9 (named), authoritative for the drill's zone; records changed by RFC 2136 updates signed with TSIG",
  requirements: () => [NAMED],
  start,
} satisfies DnsProviderKind;
