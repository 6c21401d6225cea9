// A Patroni drill's processes on the local platform: etcd members (or the Raft witness), one Patroni
// member per region (node.ts) and the regions' HAProxies, every one supervised, with its files in the
// workspace; under routing dns each member's on_role_change callback runs nsupdate.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { handToUnprivileged } from "../../dns/daemon.ts";
import { writeNsupdateScript } from "../../dns/nsupdate.ts";
import type { Address } from "../../engines/types.ts";
import { freePort } from "../../platform/ports.ts";
import { Service } from "../../platform/service.ts";
import type { ManagedDatabaseRequest } from "../local-database.ts";
import { PatroniCluster, type PatroniSettings } from "./cluster.ts";
import { etcdArgs, haproxyConfig, patroniConfig, raftWitnessConfig, roleChangeScript } from "./config.ts";
import { upServers } from "./haproxy-state.ts";
import { PatroniNode } from "./node.ts";
import { planPatroni } from "./plan.ts";

export interface PatroniPrograms {
  patroni: string;
  unshare: string;
  setpriv: string;
  /** dcs etcd */
  etcd?: string;
  /** dcs raft */
  raftController?: string;
  /** routing haproxy */
  haproxy?: string;
  /** PostgreSQL's server binaries (postgres, pg_basebackup, pg_rewind, pg_controldata). */
  binDir: string;
}

export async function etcdHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { health?: string };
    return body.health === "true";
  } catch {
    return false;
  }
}

export function listening(address: Address): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address.port, address.host);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function createLocalPatroni(
  request: ManagedDatabaseRequest,
  programs: PatroniPrograms,
  settings: PatroniSettings,
): Promise<PatroniCluster<PatroniNode>> {
  const { drill, workspace, supervisor, layout } = request;
  const plan = await planPatroni({ layout, patroni: settings.patroni, routing: settings.routing, freePort });
  const root = workspace.path("patroni");
  await mkdir(root, { recursive: true, mode: 0o755 });
  const dirOf = async (name: string): Promise<string> => {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await workspace.chownForUnprivileged(dir);
    return dir;
  };

  const dcs = new Map<string, Service>();
  let witness: Service | undefined;
  const etcdUrls = new Map<string, string>();
  const token = `failover-drill-${randomUUID()}`;
  for (const member of plan.dcs) {
    const dir = await dirOf(`dcs-${member.name}`);
    let service: Service;
    if (settings.patroni.dcs === "etcd") {
      const url = `http://${member.address}:${member.clientPort}`;
      etcdUrls.set(member.name, url);
      service = new Service(supervisor, {
        name: `etcd:${member.name}`,
        command: programs.etcd!,
        args: etcdArgs(member, plan.dcs, path.join(dir, "data"), token, false, settings.patroni.etcdPreVote),
        cwd: dir,
        env: serviceEnv(dir),
        logFile: path.join(dir, "etcd.log"),
        ready: () => etcdHealthy(url),
        readyTimeoutMs: 30_000,
      });
    } else {
      const config = path.join(dir, "raft-controller.yml");
      await writeFile(config, raftWitnessConfig(member, plan.members, path.join(dir, "raft")));
      service = new Service(supervisor, {
        name: `raft-controller:${member.name}`,
        command: programs.raftController!,
        args: [config],
        cwd: dir,
        env: serviceEnv(dir),
        logFile: path.join(dir, "raft-controller.log"),
        ready: () => listening({ host: member.address, port: member.clientPort }),
        readyTimeoutMs: 30_000,
      });
    }
    if (member.region === undefined) witness = service;
    else dcs.set(member.region, service);
  }

  const raftWitness = plan.dcs.find((d) => d.region === undefined);
  const replication = {
    replication: drill.database.replication,
    synchronousCommit: drill.database.synchronousCommit,
    syncStandbys: drill.database.syncStandbys,
  };
  const nodes: PatroniNode[] = [];
  for (const member of plan.members) {
    const dir = await dirOf(member.region);
    const onRoleChange =
      settings.routing === "dns" ? await writeRoleChangeCallback(request, member.region, dir) : undefined;
    const configFile = path.join(dir, "patroni.yml");
    await writeFile(
      configFile,
      patroniConfig({
        member,
        members: plan.members,
        ...(settings.patroni.dcs === "raft" && raftWitness !== undefined ? { raftWitness } : {}),
        patroni: settings.patroni,
        database: drill.database,
        dir,
        binDir: programs.binDir,
        ...(onRoleChange === undefined ? {} : { onRoleChange }),
      }),
    );
    nodes.push(
      new PatroniNode({
        region: member.region,
        host: member.address,
        port: member.pgPort,
        restUrl: `http://${member.address}:${member.restPort}`,
        replication,
        supervisor,
        programs: { patroni: programs.patroni, unshare: programs.unshare, setpriv: programs.setpriv },
        configFile,
        dir,
        logFile: path.join(dir, "patroni.log"),
      }),
    );
  }

  const haproxies = new Map<string, Service>();
  const statsSockets = new Map<string, string>();
  if (settings.routing === "haproxy") {
    for (const member of plan.members) {
      const dir = await dirOf(`haproxy-${member.region}`);
      const statsSocket = path.join(dir, "stats.sock");
      const config = path.join(dir, "haproxy.cfg");
      await writeFile(
        config,
        haproxyConfig({
          listen: member.haproxy!,
          servers: plan.haproxyServers.get(member.region) ?? [],
          checks: settings.haproxy!,
          statsSocket,
        }),
      );
      statsSockets.set(member.region, statsSocket);
      haproxies.set(
        member.region,
        new Service(supervisor, {
          name: `haproxy:${member.region}`,
          command: programs.haproxy!,
          args: ["-db", "-f", config],
          cwd: dir,
          env: serviceEnv(dir),
          logFile: path.join(dir, "haproxy.log"),
          ready: () =>
            upServers(statsSocket).then(
              () => true,
              () => false,
            ),
          readyTimeoutMs: 10_000,
        }),
      );
    }
  }
  return new PatroniCluster(
    { drill, layout, log: request.log, workspaceDir: workspace.dir },
    plan,
    settings,
    {
      nodes,
      dcs,
      witness,
      haproxies,
      statsSockets,
      etcdUrls,
      freezeManager: (region) => nodes.find((n) => n.name === region)?.freezeManager(),
    },
  );
}

/**
 * routing dns: the member's on_role_change callback and the nsupdate script it runs, which points the
 * drill's name at the member's region (its client address) with a TSIG-signed RFC 2136 update to the
 * drill's DNS server. Returns the callback's path.
 */
async function writeRoleChangeCallback(
  request: ManagedDatabaseRequest,
  region: string,
  dir: string,
): Promise<string> {
  const { drill, dns, layout } = request;
  if (dns.update === undefined)
    throw new Error(`routing dns needs a DNS server that takes RFC 2136 updates; ${dns.name} takes none`);
  const address = layout.regions.find((r) => r.name === region)?.address;
  if (address === undefined) throw new Error(`no region ${region} in the layout`);
  const { script } = await writeNsupdateScript(dir, dns.update, {
    name: drill.dns.name,
    address,
    ttlSeconds: Math.ceil(drill.dns.ttlMs / 1000),
  });
  const callback = path.join(dir, "on-role-change.sh");
  await writeFile(callback, roleChangeScript(script, path.join(dir, "dns-update.log")), { mode: 0o755 });
  await handToUnprivileged([callback]);
  return callback;
}

/** etcd, HAProxy and the Raft witness get a plain environment, their home in their own directory. */
function serviceEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: "/usr/bin:/bin:/usr/sbin:/sbin", LC_ALL: "C.UTF-8", HOME: dir };
}
