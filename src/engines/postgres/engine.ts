// PostgreSQL behind the engine seam: streaming replication, pg_promote, primary_conninfo re-pointing,
// synchronous_standby_names for the replication modes, LSNs as replication positions.
import { waitUntil } from "../../util/wait.ts";
import type { DatabaseEngine, DatabaseNode, FinalState } from "../types.ts";
import { findPostgresBinaries } from "./binaries.ts";
import { createPostgresNodes } from "./cluster.ts";
import { synchronousCommit, type ReplicationSettings } from "./config.ts";
import { drillAlias, POSTGRES_PORT, startPostgresContainers } from "./containers.ts";
import { ConnectedPostgresNode } from "./connected-node.ts";
import { databaseNodes } from "./docker-node.ts";
import { lsnPositions } from "./lsn.ts";
import { PostgresSqlNode } from "./operations.ts";
import { sampleReplication } from "./sample.ts";
import { startPrimaryContainers } from "./primaries.ts";
import { postgresUrl } from "./url.ts";
import { postgresActiveActive } from "./active-active/setup.ts";

export class NotAPostgresNodeError extends Error {
  override name = "NotAPostgresNodeError";
}

/** The node as the SQL operations see it; a node of another engine is a programming error. */
function sql(node: DatabaseNode): PostgresSqlNode {
  if (node instanceof PostgresSqlNode) return node;
  throw new NotAPostgresNodeError(`${node.name} is not a PostgreSQL node`);
}

function replicationOf(database: ReplicationSettings): ReplicationSettings {
  const { replication, synchronousCommit, syncStandbys } = database;
  return { replication, synchronousCommit, syncStandbys };
}

export const postgresEngine: DatabaseEngine = {
  name: "postgres",
  positions: lsnPositions,
  activeActive: {
    ...postgresActiveActive(sql),
    async startContainers(database, { network, regions, image }) {
      const cluster = await startPrimaryContainers({
        regions,
        network,
        ...(image === undefined ? {} : { image }),
        settings: database.settings,
      });
      return databaseNodes(cluster, replicationOf(database));
    },
  },

  async prepareLocal(database) {
    const binaries = await findPostgresBinaries(database.binDir);
    return {
      description: `postgres ${binaries.version} (${binaries.source})`,
      createNodes: (request) =>
        createPostgresNodes({
          binaries,
          ...request,
          settings: database.settings,
          replication: replicationOf(database),
        }),
    };
  },

  async startContainers(database, { network, regions, image }) {
    const replication = replicationOf(database);
    const cluster = await startPostgresContainers({
      regions,
      network,
      ...(image === undefined ? {} : { image }),
      settings: { ...database.settings, synchronous_commit: synchronousCommit(replication) },
    });
    return databaseNodes(cluster, replication);
  },

  containerAddress: (region) => ({ host: drillAlias(region), port: POSTGRES_PORT }),
  connect: (name, connectionString) => new ConnectedPostgresNode(name, connectionString),
  clientUrl: (address) => postgresUrl(address),

  createSchema: (primary) => sql(primary).createSchema(),
  canaryWrite: (node, region) => sql(node).insertCanary(region),
  streamingStandbys: (primary) => sql(primary).replicationStreaming(),
  waitForStandbysStreaming: (primary, names, timeoutMs) =>
    sql(primary).waitForStandbyStreaming(names, timeoutMs),

  async waitUntilStreamingThrough(standby, host, timeoutMs) {
    const node = sql(standby);
    let last = "no WAL receiver";
    await waitUntil(
      async () => {
        const row = await node.walReceiver();
        if (row !== undefined) last = `${row.status} from ${row.host}`;
        return row?.status === "streaming" && row.host === host;
      },
      {
        timeoutMs,
        intervalMs: 50,
        describe: () =>
          `standby ${node.name} does not stream through the replication proxy within ${timeoutMs} ms (${last})`,
      },
    );
  },

  async standbyPosition(node, timeoutMs) {
    const p = await sql(node).recoveryPositions(timeoutMs);
    return { role: p.inRecovery ? "standby" : "primary", received: p.receivedLsn, replayed: p.replayedLsn };
  },

  sampleReplication: (node, timeoutMs) => sampleReplication(sql(node), timeoutMs),

  async readFinalState(node): Promise<FinalState> {
    const pg = sql(node);
    const role = await pg.role();
    const ids = await pg.readWriteIds();
    return { role, ids, position: await pg.walPosition() };
  },
};
