// Patroni as the drill's failover manager: Patroni runs PostgreSQL in every region and decides who
// is primary (through etcd or its own Raft); HAProxy, or the clients' multi-host URLs, route to it.
// The drill only injects faults and watches what Patroni does (observer.ts).
import path from "node:path";
import type { Drill } from "../../drill/types.ts";
import { DEFAULT_HAPROXY, DEFAULT_PATRONI } from "../../drill/format/patroni-defaults.ts";
import { NSUPDATE } from "../../dns/nsupdate.ts";
import { locate, type Requirement } from "../../platform/requirements.ts";
import type { ManagedDatabaseSetup } from "../local-database.ts";
import type { ManagerKind } from "../types.ts";
import { PatroniCluster, type PatroniMemberNode } from "./cluster.ts";
import { createLocalPatroni, type PatroniPrograms } from "./local.ts";
import { createDockerPatroni, dockerDatabaseAddress, replicationAlias, STACKS_IMAGE } from "./docker.ts";
import type { DockerManagedDatabaseSetup } from "../docker-database.ts";
import { PatroniObserver } from "./observer.ts";

/** Debian's PostgreSQL 15, which Patroni 3.0.2 is packaged for: Patroni needs its pg_* tools. */
export const POSTGRES_BIN_DIR = "/usr/lib/postgresql/15/bin";
const POSTGRES_DIRS = [POSTGRES_BIN_DIR];

const PATRONI: Requirement = { command: "patroni", package: "patroni", purpose: "Patroni" };
const ETCD: Requirement = { command: "etcd", package: "etcd-server", purpose: "Patroni's DCS (etcd)" };
const RAFT: Requirement = {
  command: "patroni_raft_controller",
  package: "patroni",
  purpose: "Patroni's Raft witness (dcs raft, with python3-pysyncobj)",
};
const HAPROXY: Requirement = {
  command: "haproxy",
  package: "haproxy",
  purpose: "routing to Patroni's primary",
};
const UTIL_LINUX: Requirement[] = [
  { command: "unshare", package: "util-linux", purpose: "a PID namespace per Patroni member" },
  { command: "setpriv", package: "util-linux", purpose: "Patroni as the unprivileged user" },
];
const POSTGRES: Requirement[] = ["postgres", "initdb", "pg_basebackup", "pg_rewind", "pg_controldata"].map(
  (command) => ({
    command,
    package: "postgresql-15",
    purpose: "PostgreSQL 15 under Patroni",
    dirs: POSTGRES_DIRS,
    dirsFirst: true,
  }),
);

function settingsOf(drill: Drill) {
  return {
    patroni: drill.controller.patroni ?? DEFAULT_PATRONI,
    haproxy:
      drill.controller.routing === "haproxy" ? (drill.controller.haproxy ?? DEFAULT_HAPROXY) : undefined,
    routing: drill.controller.routing ?? "haproxy",
  };
}

/** The programs for this drill (every option when none is given, for `failover-drill doctor`). */
export function patroniRequirements(drill?: Drill): Requirement[] {
  const settings = drill === undefined ? undefined : settingsOf(drill);
  return [
    PATRONI,
    ...(settings === undefined || settings.patroni.dcs === "etcd" ? [ETCD] : []),
    ...(settings === undefined || settings.patroni.dcs === "raft" ? [RAFT] : []),
    ...(settings === undefined || settings.routing === "haproxy" ? [HAPROXY] : []),
    ...(settings === undefined || settings.routing === "dns" ? [NSUPDATE] : []),
    ...UTIL_LINUX,
    ...POSTGRES,
  ];
}

function programs(drill: Drill): PatroniPrograms {
  const find = (r: Requirement): string => {
    const found = locate(r);
    if (found === undefined) throw new Error(`${r.command} is not installed (apt-get install ${r.package})`);
    return found;
  };
  const settings = settingsOf(drill);
  return {
    patroni: find(PATRONI),
    unshare: find(UTIL_LINUX[0]!),
    setpriv: find(UTIL_LINUX[1]!),
    ...(settings.patroni.dcs === "etcd" ? { etcd: find(ETCD) } : { raftController: find(RAFT) }),
    ...(settings.routing === "haproxy" ? { haproxy: find(HAPROXY) } : {}),
    // Where pg_rewind is (seldom on PATH, unlike some other postgres): Patroni runs the set from there.
    binDir: path.dirname(find(POSTGRES.find((r) => r.command === "pg_rewind")!)),
  };
}

export const patroniManager: ManagerKind = {
  name: "patroni",
  description:
    "Patroni runs PostgreSQL per region and fails over through etcd or Raft; HAProxy or libpq routes",
  reportsSteps: true,
  // routing dns: Patroni's callback re-points DNS and clients follow it. Otherwise clients hold every
  // regional endpoint (as behind a global load balancer); each region's app finds the primary through
  // its HAProxy or its multi-host URL.
  routing: (drill) => (settingsOf(drill).routing === "dns" ? "dns" : "client"),
  requirements: (drill) => patroniRequirements(drill),
  async localDatabase(drill): Promise<ManagedDatabaseSetup> {
    const found = programs(drill);
    const settings = settingsOf(drill);
    return {
      description:
        `patroni + ${settings.patroni.dcs}` +
        `${settings.routing === "haproxy" ? " + haproxy" : settings.routing === "dns" ? " + nsupdate" : ""}, ` +
        `postgres from ${found.binDir}`,
      replicationPorts: "per-upstream-port",
      create: (request) => createLocalPatroni(request, found, settings),
    };
  },
  dockerDatabase(drill): Promise<DockerManagedDatabaseSetup> {
    const settings = settingsOf(drill);
    if (settings.routing === "dns")
      throw new Error("routing dns runs on platform local only: the callback updates the host's DNS server");
    return Promise.resolve({
      description: `patroni + ${settings.patroni.dcs}${settings.routing === "haproxy" ? " + haproxy" : ""} in containers (${STACKS_IMAGE})`,
      image: STACKS_IMAGE,
      databaseAddress: dockerDatabaseAddress,
      replicationHost: replicationAlias,
      create: (request) => createDockerPatroni(request, settings),
    });
  },
  create({ drill, topology, history }) {
    const nodes = [...topology.nodes.values()].map((node) => {
      if (!isPatroniMember(node)) throw new Error(`${node.name} is not a Patroni member`);
      return node;
    });
    const cluster = PatroniCluster.of(topology.workspaceDir);
    return new PatroniObserver({
      drill,
      history,
      members: nodes.map((node) => ({ region: node.name, restUrl: node.restUrl, node })),
      engine: topology.engine,
      routers: cluster?.statsSockets ?? new Map(),
      etcd: cluster?.etcdMembers ?? [],
      ...(settingsOf(drill).routing === "dns"
        ? {
            dns: {
              server: topology.dns.endpoint,
              name: drill.dns.name,
              regionOf: new Map(topology.layout.regions.map((r) => [r.address, r.name])),
            },
          }
        : {}),
    });
  },
};

function isPatroniMember(node: object): node is PatroniMemberNode {
  return "restUrl" in node && typeof node.restUrl === "string";
}
