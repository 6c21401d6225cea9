// Files for updaters outside the drill: a TSIG key file as tsig-keygen writes it and a shell script
// that points the drill's name at one address with nsupdate, from a provider's DnsUpdateAccess. A
// manager's callback (Patroni's on_role_change) runs the script of the region it promoted.
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { locate, type Requirement } from "../platform/requirements.ts";
import { handToUnprivileged } from "./daemon.ts";
import type { DnsUpdateAccess } from "./provider.ts";

export const NSUPDATE: Requirement = {
  command: "nsupdate",
  package: "bind9-dnsutils",
  purpose: "RFC 2136 updates from a manager's callback",
};

/** The key statement nsupdate -k (and named's include) reads. */
export function keyFileText(access: DnsUpdateAccess): string {
  return `key "${access.keyName}" {\n\talgorithm ${access.algorithm};\n\tsecret "${access.secret}";\n};\n`;
}

export interface PointName {
  name: string;
  address: string;
  ttlSeconds: number;
}

/** nsupdate's input: replace `name`'s A records with one pointing at `address`, in one update. */
export function nsupdateCommands(access: DnsUpdateAccess, p: PointName): string {
  return [
    `server ${access.endpoint.host} ${access.endpoint.port}`,
    `zone ${access.zone}`,
    `update delete ${p.name} A`,
    `update add ${p.name} ${p.ttlSeconds} A ${p.address}`,
    "send",
    "",
  ].join("\n");
}

export interface NsupdateFiles {
  keyFile: string;
  /** Executable; exits non-zero when the server refused the update or did not answer. */
  script: string;
}

/**
 * Writes `<dir>/<base>.key` and `<dir>/<base>.sh` (nsupdate with that key and these commands). Both
 * are handed to the unprivileged user when we are root, as managers' callbacks run as it.
 */
export async function writeNsupdateScript(
  dir: string,
  access: DnsUpdateAccess,
  p: PointName,
  base = "dns-update",
): Promise<NsupdateFiles> {
  const keyFile = path.join(dir, `${base}.key`);
  const script = path.join(dir, `${base}.sh`);
  const nsupdate = locate(NSUPDATE) ?? "nsupdate";
  await writeFile(keyFile, keyFileText(access), { mode: 0o600 });
  await writeFile(
    script,
    `#!/bin/sh\n# Points ${p.name} at ${p.address} (written by failover-drill).\n` +
      `exec ${nsupdate} -t 2 -k ${keyFile} <<'EOF'\n${nsupdateCommands(access, p)}EOF\n`,
  );
  await chmod(script, 0o755);
  await handToUnprivileged([keyFile, script]);
  return { keyFile, script };
}
