// pg_auto_failover as the drill's failover manager: a monitor (its own site, or in a region) and a
// keeper per region run PostgreSQL and decide who is primary; each region's app finds it through a
// libpq multi-host URL with target_session_attrs=read-write. The drill only injects faults and watches
// what the monitor records (observer.ts).
import { accessSync, constants } from "node:fs";
import path from "node:path";
import type { Drill } from "../../drill/types.ts";
import { DEFAULT_PG_AUTO_FAILOVER } from "../../drill/format/pg-auto-failover.ts";
import { runCommand } from "../../platform/processes.ts";
import { locate, type Requirement } from "../../platform/requirements.ts";
import { parsePostgresVersion } from "../../engines/postgres/binaries.ts";
import type { ManagedDatabaseSetup } from "../local-database.ts";
import type { ManagerKind } from "../types.ts";
import { PgAutoFailoverCluster } from "./cluster.ts";
import { PgAutoFailoverNode } from "./node.ts";
import { PgAutoFailoverObserver } from "./observer.ts";

/** Debian's PostgreSQL 15, which Debian's pg_auto_failover 2.0 is built for. */
export const POSTGRES_BIN_DIR = "/usr/lib/postgresql/15/bin";
const POSTGRES_LIB_DIR = "/usr/lib/postgresql/15/lib";

const PG_AUTOCTL: Requirement = {
  command: "pg_autoctl",
  package: "pg-auto-failover-cli",
  purpose: "pg_auto_failover's keeper and monitor",
};
const POSTGRES: Requirement[] = ["pg_ctl", "postgres", "initdb", "pg_basebackup", "pg_rewind"].map(
  (command) => ({
    command,
    package: "postgresql-15",
    purpose: "PostgreSQL 15 under pg_auto_failover",
    dirs: [POSTGRES_BIN_DIR],
  }),
);
const EXTENSION: Requirement = {
  command: "pgautofailover.so",
  package: "postgresql-15-auto-failover",
  purpose: "the pg_auto_failover monitor's extension",
  dirs: [POSTGRES_LIB_DIR],
  file: true,
};

export function pgAutoFailoverRequirements(): Requirement[] {
  return [PG_AUTOCTL, ...POSTGRES, EXTENSION];
}

function find(requirement: Requirement): string {
  const found = locate(requirement);
  if (found === undefined)
    throw new Error(`${requirement.command} is not installed (apt-get install ${requirement.package})`);
  return found;
}

export const pgAutoFailoverManager: ManagerKind = {
  name: "pg_auto_failover",
  description:
    "pg_auto_failover: a monitor and a keeper per region run PostgreSQL and fail over; clients use " +
    "libpq multi-host URLs",
  reportsSteps: true,
  // Clients hold every regional endpoint (as behind a global load balancer); each region's app finds
  // the primary itself through its multi-host URL.
  routing: () => "client",
  requirements: () => pgAutoFailoverRequirements(),
  async localDatabase(drill: Drill): Promise<ManagedDatabaseSetup> {
    const pgAutoctl = find(PG_AUTOCTL);
    // Where pg_rewind is (seldom on PATH): pg_autoctl runs the whole set from there.
    const binDir = path.dirname(find(POSTGRES.find((r) => r.command === "pg_rewind")!));
    // One installation: the monitor's extension must match the server that loads it.
    for (const r of POSTGRES) {
      try {
        accessSync(path.join(binDir, r.command), constants.X_OK);
      } catch {
        throw new Error(`${r.command} is missing from ${binDir} (apt-get install ${r.package})`);
      }
    }
    find(EXTENSION);
    const output = await runCommand(path.join(binDir, "postgres"), ["--version"], { timeoutMs: 10_000 });
    const version = parsePostgresVersion(output) ?? "unknown";
    const spec = drill.controller.pgAutoFailover ?? DEFAULT_PG_AUTO_FAILOVER;
    return {
      description: `pg_auto_failover (monitor ${spec.monitor}), postgres ${version} (${binDir})`,
      replicationPorts: "database-port",
      create: (request) => PgAutoFailoverCluster.create(request, { pgAutoctl, binDir, version }, spec),
    };
  },
  create({ drill, topology, history }) {
    const nodes = new Map<string, PgAutoFailoverNode>();
    for (const node of topology.nodes.values()) {
      if (!(node instanceof PgAutoFailoverNode))
        throw new Error(`${node.name} is not a pg_auto_failover node`);
      nodes.set(node.name, node);
    }
    const monitor = [...nodes.values()][0]?.monitorAddress;
    if (monitor === undefined) throw new Error("pg_auto_failover has no nodes");
    return new PgAutoFailoverObserver({ drill, history, monitor, nodes, engine: topology.engine });
  },
};
