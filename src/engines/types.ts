// The database engine seam, after Jepsen's `db` protocol: what the runner, the controller, the
// candidate chooser, the database monitor and the topologies need of a database, in words that fit
// any engine. Replication positions (PostgreSQL's LSN) are opaque text outside their engine: only
// the engine's `positions` compares or measures them. An engine lives in src/engines/<name>/ and is
// found through src/engines/registry.ts.
import type { DATABASE } from "../drill/format/database.ts";
import type { Static } from "../drill/schema/spec.ts";
import type { KeyedState, ObservedRole, SampledStandby } from "../history/types.ts";

export type { KeyedState, SubscriptionState } from "../history/types.ts";
import type { DrillNetwork } from "../platform/docker.ts";
import type { ProcessSupervisor } from "../platform/processes.ts";
import type { Workspace } from "../platform/workspace.ts";

/** Where something listens: a host (address or container alias) and a port. */
export interface Address {
  host: string;
  port: number;
}

/** The drill's `database` section as loaded (engine, replication mode, settings, ...). */
export type DatabaseSpec = Static<typeof DATABASE>;

/** database.conflicts and database.merge (active-active). */
export type ConflictStrategy = NonNullable<DatabaseSpec["conflicts"]>;
export type MergeFunction = NonNullable<DatabaseSpec["merge"]>;

/** What an active-active topology is set up with (src/engines/postgres/active-active/). */
export interface ActiveActiveSpec {
  conflicts: ConflictStrategy;
  merge: MergeFunction;
  /** Every region and its jurisdiction ("" without data residency). */
  regions: ReadonlyArray<{ name: string; jurisdiction: string }>;
  residency: boolean;
  /** Keys per key space (per home region with residency). */
  keys: number;
  /** Where region `subscriber`'s node reaches region `publisher`'s (the replication proxy). */
  peer(subscriber: string, publisher: string): Address;
}

export interface ActiveActiveEngine {
  /** Keyed tables, apply triggers, seed rows, publications and subscriptions on every node. */
  setUp(nodes: ReadonlyMap<string, DatabaseNode>, spec: ActiveActiveSpec): Promise<void>;
  /** The publishers whose changes `node` is receiving (apply worker up). */
  subscriptionsStreaming(node: DatabaseNode, timeoutMs?: number): Promise<string[]>;
  /** The node's keyed data; `jurisdiction` is its region's ("" without residency). */
  readKeyed(node: DatabaseNode, jurisdiction: string, timeoutMs?: number): Promise<KeyedState>;
  /**
   * Docker platform: one independent primary per region (`request.regions`, in that order), each in
   * its own container on the drill network, unconnected until setUp; absent: not on docker.
   */
  startContainers?(database: DatabaseSpec, request: ContainerNodesRequest): Promise<ContainerDatabaseNode[]>;
}

/** The drill's replication mode, as every node is configured with it. */
export type ReplicationSettings = Pick<DatabaseSpec, "replication" | "synchronousCommit" | "syncStandbys">;

/** One database server of a drill, whichever engine and platform run it. */
export interface DatabaseNode {
  /** The region's name; a standby is known to its primary by it. */
  readonly name: string;
  /** Whether the server is up, as far as the node's own start/kill/stop know. */
  readonly running: boolean;
  /** Starts the server and waits until it accepts connections. */
  start(): Promise<void>;
  /** Graceful shutdown; SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash or region power loss. */
  kill(): Promise<void>;
  /** Resolves once the server answers a trivial request within `timeoutMs`; throws otherwise. */
  ping(timeoutMs: number): Promise<void>;
  /** Whether the server takes writes (primary) or follows an upstream (standby). */
  role(timeoutMs?: number): Promise<ObservedRole>;
  /** Promotes a standby and waits until it accepts writes. */
  promote(): Promise<void>;
  /** Standby: follow a new upstream (e.g. the promoted primary, through its replication proxy). */
  setUpstream(upstream: Address): Promise<void>;
  /**
   * Primary: commits wait for these standbys as the drill's replication mode says (none: commits
   * stop waiting). Returns the engine's own spelling of the rule, for logs and tests.
   */
  setSynchronousStandbys(standbys: string[]): Promise<string>;
}

/** A node run as a local process group (platform local). */
export interface ProcessDatabaseNode extends DatabaseNode {
  /** Pid of the server's leader process, while running. */
  readonly pid: number | undefined;
  /** Whether pause() froze the server and resume() has not thawed it yet. */
  readonly paused: boolean;
  /** Freezes the server (SIGSTOP): nothing answers while connections stay open and stall. */
  pause(): Promise<void>;
  /** Thaws a paused server and waits until it accepts connections again. */
  resume(timeoutMs?: number): Promise<void>;
}

/** A node run in a container on the drill network (platform docker). */
export interface ContainerDatabaseNode extends DatabaseNode {
  readonly containerId: string;
  /** The name other containers on the drill network reach it by. */
  readonly alias: string;
  /** The port the host reaches it on (docker picks a new one each time the container starts). */
  hostPort(): Promise<number>;
}

/** How an engine orders and measures its replication positions (opaque text to everyone else). */
export interface ReplicationPositions {
  /** Negative when a is behind b, 0 when equal, positive when a is ahead; throws on a non-position. */
  compare(a: string, b: string): number;
  /** Bytes a is ahead of b (negative when behind); undefined when either is not a position. */
  diff(a: string, b: string): number | undefined;
}

/** Where a node stands as a standby: what the candidate chooser compares. */
export interface StandbyPosition {
  role: ObservedRole;
  /** Last position received from the upstream; null when nothing was streamed since start. */
  received: string | null;
  /** Last position applied; null on a primary. */
  replayed: string | null;
}

/** One node's answer to the database monitor's sample. */
export interface ReplicationSample {
  role: ObservedRole;
  /** Write position on a primary, replay position on a standby. */
  position?: string;
  /** Standby: the last position received from its upstream. */
  receivedPosition?: string;
  /** Primary: its standbys as it sees them (connected ones only). */
  standbys: SampledStandby[];
}

/** What a node holds after the drill: the final read that the lost-writes checker compares. */
export interface FinalState {
  role: ObservedRole;
  /** Every write id in the node's writes table, ascending. */
  ids: number[];
  /** Write position on a primary, replay position on a standby. */
  position: string;
}

/** A node of the local platform: its region, its address and, for a standby, whom it follows. */
export interface LocalNodeSpec {
  name: string;
  host: string;
  port: number;
  /** Standbys only: where to stream from (the topology passes a replication proxy address). */
  upstream?: Address;
}

export interface LocalNodesRequest {
  workspace: Workspace;
  supervisor: ProcessSupervisor;
  primary: LocalNodeSpec;
  standbys: LocalNodeSpec[];
}

/** The engine made ready for the local platform (binaries found); it creates the nodes. */
export interface LocalDatabaseSetup {
  /** For the console, e.g. "postgres 18.4 (embedded)". */
  readonly description: string;
  /** Data directories ready and configured, the primary first; nothing started yet. */
  createNodes(request: LocalNodesRequest): Promise<ProcessDatabaseNode[]>;
}

export interface ContainerNodesRequest {
  network: DrillNetwork;
  /** Region names; the first is the primary, the rest follow it. */
  regions: string[];
  /** The drill's `docker.postgresImage` (or the engine's own field); undefined = the engine's default. */
  image?: string;
}

export interface DatabaseEngine {
  /** The drill's `database.engine`. */
  readonly name: DatabaseSpec["engine"];
  /** database.topology active-active; absent when the engine has none. */
  readonly activeActive?: ActiveActiveEngine;
  readonly positions: ReplicationPositions;

  /** Local platform: finds what the engine needs to run (binaries) for the drill's database section. */
  prepareLocal(database: DatabaseSpec): Promise<LocalDatabaseSetup>;
  /**
   * Docker platform: starts the primary and its standbys, each in a container on the drill network,
   * and resolves once they accept connections (the primary first in the result).
   */
  startContainers(database: DatabaseSpec, request: ContainerNodesRequest): Promise<ContainerDatabaseNode[]>;
  /** Where containers on the drill network reach a region's server (before it is started, for the layout). */
  containerAddress(region: string): Address;
  /**
   * A server the drill did not start (platform external), reached through the user's connection
   * string: it reads and proves writes, and refuses to start, stop, kill, promote or reconfigure it.
   */
  connect(name: string, connectionString: string): DatabaseNode;
  /** The URL a client (the app's {{DATABASE_URL}}) connects with to a server at `address`. */
  clientUrl(address: Address): string;

  /** On the primary: the tables the reference app and the controller's canary write to. */
  createSchema(primary: DatabaseNode): Promise<void>;
  /** The controller's proof that a promoted node takes writes: one committed row. */
  canaryWrite(node: DatabaseNode, region: string): Promise<void>;
  /** Names of the standbys currently streaming from `primary`. */
  streamingStandbys(primary: DatabaseNode): Promise<string[]>;
  /** Until every one of `names` streams from `primary`; throws after `timeoutMs`. */
  waitForStandbysStreaming(primary: DatabaseNode, names: string[], timeoutMs: number): Promise<void>;
  /** Until the standby streams from `host` (a proxy container), not from its upstream directly. */
  waitUntilStreamingThrough(standby: DatabaseNode, host: string, timeoutMs: number): Promise<void>;
  /** Where a node stands as a standby, for the candidate chooser. */
  standbyPosition(node: DatabaseNode, timeoutMs: number): Promise<StandbyPosition>;
  /** One sample for the database monitor, in one round trip. */
  sampleReplication(node: DatabaseNode, timeoutMs: number): Promise<ReplicationSample>;
  /** The final read after heal and recovery wait. */
  readFinalState(node: DatabaseNode): Promise<FinalState>;
}
