// The part of the failover-manager seam for managers that own the database nodes. Patroni and
// pg_auto_failover start PostgreSQL themselves and decide who is primary, so on the local platform the
// topology asks such a manager (ManagerKind.localDatabase) for the nodes instead of the engine, and
// asks it where each region's app reaches the primary (a region-local load balancer, a libpq
// multi-host URL). Everything else stays the topology's: the layout, every link proxy, the apps, DNS.
import type { DnsProvider } from "../dns/provider.ts";
import type { Drill, OutageMode } from "../drill/types.ts";
import type { Address, DatabaseNode, ProcessDatabaseNode } from "../engines/types.ts";
import type { ProcessSupervisor } from "../platform/processes.ts";
import type { Workspace } from "../platform/workspace.ts";
import type { LinkInfo, TopologyLayout } from "../topology/topology.ts";

/**
 * How the layout places the replication proxies. per-pair: each ordered pair's proxy listens on a port
 * of its own (what the engine's nodes dial). per-upstream-port: every standby reaches a given upstream
 * on the same port, each on its own region's address; a manager that publishes one address per node
 * (Patroni's connect_address, a pg_auto_failover node's host:port) advertises that port, and each
 * node's libpq is pointed at its own region's address (PGHOSTADDR), so every pair still streams
 * through its own proxy. database-port: as per-upstream-port, with every upstream's port its own
 * database port (free on every region address): for a manager that registers each node under the
 * port it listens on and cannot advertise another (pg_auto_failover).
 */
export type ReplicationPorts = "per-pair" | "per-upstream-port" | "database-port";

export interface ManagedDatabaseRequest {
  drill: Drill;
  workspace: Workspace;
  /** Every process the manager starts goes through it, so the teardown stops what is left. */
  supervisor: ProcessSupervisor;
  /** Regions, addresses, ports and the standard links; their proxies are not created yet. */
  layout: TopologyLayout;
  /** The drill's DNS provider, for a manager that re-points the drill's name itself (routing dns). */
  dns: DnsProvider;
  /** Progress lines for the console. */
  log: (line: string) => void;
}

/** Where a region's app finds the primary. */
export interface AppDatabase {
  /** What the region's app-db proxy forwards to (e.g. the region's load balancer, or its own node). */
  upstream: Address;
  /** The app's DATABASE_URL: through the app-db proxy, or a multi-host URL over several proxies. */
  url: string;
}

export interface ManagedDatabase<N extends DatabaseNode = ProcessDatabaseNode> {
  /**
   * Links to add to the layout, with their listen and upstream addresses: the topology creates their
   * proxies (with the inter-region latency when they cross regions) and faults act on them.
   */
  readonly links: LinkInfo[];
  /** One node per region, named by the region; start/stop/kill/pause act on the manager's member. */
  readonly nodes: N[];
  appDatabase(region: string): AppDatabase;
  /**
   * Starts everything (after the proxies exist) and resolves once the drill's primary region leads
   * and every standby streams from it.
   */
  start(): Promise<void>;
  /**
   * What an outage of `mode` does to the region's processes: its node and whatever else the manager
   * runs there (a DCS member, a load balancer, a keeper). The links are the nemesis' part. Returns the
   * heal, which brings them back and resolves once the region's node accepts connections.
   * `restoreLinks` brings back the links the outage cut (the nemesis does so after the heal anyway):
   * for a manager whose processes cannot start while cut off (a pg_auto_failover keeper exits when
   * it cannot reach the monitor), as a region's machines boot with their network back.
   */
  injectOutage(
    region: string,
    mode: OutageMode,
    restoreLinks?: () => Promise<void>,
  ): Promise<() => Promise<void>>;
  /** Stops everything fast (the drill is over); the supervisor's stopAll runs after it. */
  dispose(): Promise<void>;
}

/** The manager made ready for the local platform (programs found); it creates the database. */
export interface ManagedDatabaseSetup {
  /** For the console, e.g. "patroni 3.0.2 + etcd, postgres 15.18 (/usr/lib/postgresql/15/bin)". */
  readonly description: string;
  readonly replicationPorts: ReplicationPorts;
  create(request: ManagedDatabaseRequest): Promise<ManagedDatabase>;
}
