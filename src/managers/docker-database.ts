// The docker half of the "manager owns the database" seam (local-database.ts is the local half): a
// manager that runs PostgreSQL itself (Patroni) puts its processes in containers on the drill's
// network, each reached by an alias, and its links on the Toxiproxy container.
//
// Replication is the one path a manager advertises once for every dialler (a member's one
// connect_address), yet each ordered pair must have a proxy of its own. So each region gets a network
// of its own that only the Toxiproxy container and that region's member join: the proxy
// `Y.replication.X` listens on the Toxiproxy container's address on Y's network, at X's replication
// port, and Y's member resolves X's advertised name to that address (its /etc/hosts). Every dialler
// dials the same name and port and still reaches its own proxy: the local platform's per-region
// loopback addresses, in containers.
import type { Drill } from "../drill/types.ts";
import type { Address, ContainerDatabaseNode } from "../engines/types.ts";
import type { DrillNetwork } from "../platform/docker.ts";
import type { Workspace } from "../platform/workspace.ts";
import type { TopologyLayout } from "../topology/topology.ts";
import type { ManagedDatabase } from "./local-database.ts";

export interface DockerManagedDatabaseRequest {
  drill: Drill;
  workspace: Workspace;
  network: DrillNetwork;
  /** Each region's own network (see above), by region. */
  regionNetworks: ReadonlyMap<string, string>;
  /** The Toxiproxy container's address on each region's own network. */
  regionProxyAddress: ReadonlyMap<string, string>;
  /** Regions, ports and the standard links; their proxies are not created yet. */
  layout: TopologyLayout;
  /** A fresh port on the Toxiproxy container for one more of the manager's proxies. */
  proxyAddress(): Address;
  log: (line: string) => void;
}

export interface DockerManagedDatabaseSetup {
  /** For the console. */
  readonly description: string;
  /** The image every process runs in. */
  readonly image: string;
  /** Where the other containers reach a region's database (the upstream of its proxies). */
  databaseAddress(region: string): Address;
  /** The name a region's database is advertised under for replication, e.g. pg-us-east. */
  replicationHost(region: string): string;
  create(request: DockerManagedDatabaseRequest): Promise<ManagedDatabase<ContainerDatabaseNode>>;
}
