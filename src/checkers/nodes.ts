// Per-node final state for the report: counts and replication positions, not the id lists.
import { positionsFor, type EngineName } from "../engines/registry.ts";
import type { FinalRead } from "../history/types.ts";
import type { NodeSummary } from "./types.ts";

/**
 * `engine` (drill.database.engine) says how positions compare; a malformed one gives no distance,
 * so a report never throws.
 */
export function summariseNodes(
  finalReads: readonly FinalRead[],
  survivingPrimary: string | null,
  engine: EngineName,
): NodeSummary[] {
  const positions = positionsFor(engine);
  const survivor = finalReads.find((r) => r.node === survivingPrimary);
  return finalReads.map((r) => {
    const node: NodeSummary = { node: r.node, reachable: r.reachable, role: r.role, count: r.ids.length };
    if (r.walLsn !== undefined) {
      node.walLsn = r.walLsn;
      const fromSurvivor =
        survivor?.walLsn === undefined ? undefined : positions.diff(r.walLsn, survivor.walLsn);
      if (fromSurvivor !== undefined) node.walBytesFromSurvivor = fromSurvivor;
    }
    if (r.error !== undefined) node.error = r.error;
    return node;
  });
}
