// Divergence: keys whose value differs between regions (or exists in some only). Sampled during the
// drill and at its end; converged means no divergent key.
import type { RegionState } from "./types.ts";

export interface DivergentKey {
  key: string;
  /** Each region's value; undefined where the key is missing. */
  values: Record<string, string | number | undefined>;
}

export function divergentKeys(states: ReadonlyMap<string, RegionState>): DivergentKey[] {
  const keys = new Set<string>();
  for (const state of states.values()) for (const key of state.keys()) keys.add(key);
  const divergent: DivergentKey[] = [];
  for (const key of [...keys].sort()) {
    const values: DivergentKey["values"] = {};
    for (const [region, state] of states) values[region] = state.get(key);
    if (new Set(Object.values(values).map((v) => (v === undefined ? undefined : String(v)))).size > 1)
      divergent.push({ key, values });
  }
  return divergent;
}

/**
 * Time to converge after the heal: from healMs to the first sample (ms, in order) with at most
 * `steady` divergent keys (the level writes in flight keep apart in the steady state), provided the
 * last sample has none; null when the last sample still diverges or none after the heal got there.
 */
export function timeToConvergeMs(
  healMs: number,
  samples: ReadonlyArray<{ atMs: number; divergent: number }>,
  steady = 0,
): number | null {
  const after = samples.filter((s) => s.atMs >= healMs);
  const last = after.at(-1);
  if (last === undefined || last.divergent > 0) return null;
  const first = after.find((s) => s.divergent <= steady);
  return first === undefined ? null : first.atMs - healMs;
}
