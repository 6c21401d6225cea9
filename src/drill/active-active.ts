// What an active-active drill means, derived once from the drill (pure): its conflict strategy and
// merge, whether records are homed for data residency, each region's jurisdiction, and the op mix.
import type { OP_KINDS } from "./format/workload.ts";
import type { Drill } from "./types.ts";

/** What a client's write does: the drill format's op kinds. */
export type OpKind = (typeof OP_KINDS)[number];

export const isActiveActive = (drill: Pick<Drill, "database">): boolean =>
  drill.database.topology === "active-active";

/** Data residency: regions carry a jurisdiction, and records stay within their home's. */
export const hasResidency = (drill: Pick<Drill, "regions">): boolean =>
  drill.regions.some((r) => r.jurisdiction !== undefined);

/** Region -> jurisdiction ("" for every region without residency). */
export function jurisdictions(drill: Pick<Drill, "regions">): Map<string, string> {
  return new Map(drill.regions.map((r) => [r.name, r.jurisdiction ?? ""]));
}

export const conflictStrategy = (drill: Pick<Drill, "database">) => drill.database.conflicts ?? "lww";
export const mergeFunction = (drill: Pick<Drill, "database">) => drill.database.merge ?? "union";

/** The workload's op mix: the drill's, else unique inserts (or half sets, half adds when active-active). */
export function opMix(drill: Pick<Drill, "database" | "workload">): Partial<Record<OpKind, number>> {
  return drill.workload.ops ?? (isActiveActive(drill) ? { set: 0.5, add: 0.5 } : { insert: 1 });
}

/** What an active-active app needs to know (its region comes from REGION). */
export function activeActiveAppEnv(drill: Drill): Record<string, string> {
  if (!isActiveActive(drill)) return {};
  const env: Record<string, string> = { CONFLICTS: conflictStrategy(drill), MERGE: mergeFunction(drill) };
  if (hasResidency(drill)) env["HOMES"] = JSON.stringify(Object.fromEntries(jurisdictions(drill)));
  return env;
}
