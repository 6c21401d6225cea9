// What reading a drill keeps for the fields that depend on others read before them.
import type { Scope } from "../schema/spec.ts";

/** The platforms, as the drill file names them. */
export const PLATFORMS = ["local", "docker", "external"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** What the command line may override. Applied before validation, so every check sees the effective value. */
export interface DrillOverrides {
  /** Replaces the drill's `platform` (`--platform`). */
  platform?: Platform;
}

export interface DrillContext {
  readonly overrides: DrillOverrides;
  /** The drill file's directory: a local app's command runs there. */
  readonly workingDir: string;
  /** The effective platform (the override, else the file's); undefined when neither is valid. */
  platform?: Platform;
  /** The regions, once read without a problem: region references are checked against them. */
  regions?: ReadonlyArray<{ name: string; role: string; jurisdiction?: string | undefined }>;
  /** database.topology, once read: the workload's keyed ops and the manager depend on it. */
  topology?: string;
  /** database.replication, once read: a failover manager may not support every mode. */
  replication?: string;
  /** The workload's duration, once read without a problem: every fault must end within it. */
  workloadMs?: number;
}

export function drillContext(scope: Scope): DrillContext {
  return scope.context as DrillContext;
}
