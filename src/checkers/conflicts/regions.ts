// Divergence between regions that should hold the same records: all regions without data residency,
// the regions of one jurisdiction with it (each holds only its own jurisdiction's records).
import type { KeyedState } from "../../engines/types.ts";
import { divergentKeys } from "./divergence.ts";
import type { RegionState } from "./types.ts";

/** One region's keyed data as one map: "r:<key>" registers and "c:<key>" counters. */
export function regionState(state: Pick<KeyedState, "registers" | "counters">): RegionState {
  const m = new Map<string, string | number>();
  for (const [k, v] of Object.entries(state.registers)) m.set(`r:${k}`, v);
  for (const [k, v] of Object.entries(state.counters)) m.set(`c:${k}`, v);
  return m;
}

/** Keys that differ between regions of the same jurisdiction (regions given as region -> jurisdiction). */
export function divergenceByJurisdiction(
  states: ReadonlyMap<string, Pick<KeyedState, "registers" | "counters">>,
  jurisdictionOf: ReadonlyMap<string, string>,
): string[] {
  const groups = new Map<string, Map<string, RegionState>>();
  for (const [region, state] of states) {
    const j = jurisdictionOf.get(region) ?? "";
    const group = groups.get(j) ?? new Map<string, RegionState>();
    group.set(region, regionState(state));
    groups.set(j, group);
  }
  const keys: string[] = [];
  for (const group of groups.values())
    if (group.size > 1) keys.push(...divergentKeys(group).map((d) => d.key));
  return keys.sort();
}
