// Shared by the integration tests (not a test file: importing it runs no suite).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { loadDrill } from "../../src/drill/load.ts";
import type { Drill, RegionSpec } from "../../src/drill/types.ts";
import { PostgresNode } from "../../src/engines/postgres/cluster.ts";
import type { ReplicationSettings } from "../../src/engines/postgres/config.ts";
import type { DatabaseNode } from "../../src/engines/types.ts";

/** A local topology's node as the PostgreSQL process node it is (these drills run the postgres engine). */
export function postgresNode(node: DatabaseNode): PostgresNode {
  assert.ok(node instanceof PostgresNode, `${node.name} is not a local PostgreSQL node`);
  return node;
}

/** The region-outage drill with these regions, replication and network, no extra settings, no faults. */
export async function drillWith(
  name: string,
  regions: RegionSpec[],
  replication: ReplicationSettings,
  network: Drill["network"],
): Promise<Drill> {
  const base = await loadDrill("drills/region-outage.yaml");
  return {
    ...base,
    name,
    regions,
    database: { ...base.database, ...replication, settings: {} },
    network,
    faults: [],
  };
}

/** true when the promise settled (either way) within `ms`, false when it was still pending. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    timeout,
  ]);
  clearTimeout(timer);
  return settled;
}

/** The effective uid of a process, from the Uid line of /proc/<pid>/status (real, effective, saved, fs). */
export async function uidOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const line = status.split("\n").find((l) => l.startsWith("Uid:"));
  return Number(line?.split(/\s+/)[2]);
}
