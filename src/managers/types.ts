// The failover-manager seam: whatever detects the primary's failure, promotes a standby and re-routes
// clients (our built-in controller; a real HA manager such as Patroni or pg_auto_failover; a team's own
// stack through hooks) is started and stopped by the runner through this interface and records what it
// did as history events (ManagerEvents), which the checkers measure the same way for every manager.
// A manager that reports no steps of its own still gets its promotion measured: the database monitor
// records role changes, and the checkers fall back to them.
import type { Drill } from "../drill/types.ts";
import type { Requirement } from "../platform/requirements.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import type { RunningTopology } from "../topology/topology.ts";
import type { DockerManagedDatabaseSetup } from "./docker-database.ts";
import type { ManagedDatabaseSetup } from "./local-database.ts";
import type { ManagerName } from "./names.ts";

export interface ManagerContext {
  drill: Drill;
  topology: RunningTopology;
  history: HistoryRecorder;
  /** Progress lines for the console. */
  log: (line: string) => void;
}

/**
 * How clients reach the primary under a manager. dns: they resolve the drill's name, and the manager
 * re-points it. client: every client holds every regional endpoint and moves on after an error.
 */
export type ClientRouting = "dns" | "client";

export interface FailoverManager {
  /** Starts watching the primary. Failures are recorded in the history, never thrown. */
  start(): void;
  /** Stops watching; waits for a failover in progress to finish or abort. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ManagerKind {
  readonly name: ManagerName;
  /** One line for docs. */
  readonly description: string;
  /** Whether it records its own detection and promotion; if not, promotion comes from observed roles. */
  readonly reportsSteps: boolean;
  routing(drill: Drill): ClientRouting;
  /** Programs it runs on the local platform for this drill, or for any drill when none is given (checked
   * before the drill starts; listed by `failover-drill doctor`). */
  requirements?(drill?: Drill): Requirement[];
  /**
   * Local platform, for a manager that runs the database nodes itself (it starts PostgreSQL and
   * decides who is primary): the topology takes the nodes, and where each region's app reaches the
   * primary, from here instead of from the engine. Absent: the engine creates the nodes.
   */
  localDatabase?(drill: Drill): Promise<ManagedDatabaseSetup>;
  /** The same on the docker platform: its processes in containers (docker-database.ts). */
  dockerDatabase?(drill: Drill): Promise<DockerManagedDatabaseSetup>;
  create(context: ManagerContext): FailoverManager;
}
