// Per-node final state for the report: counts and WAL positions, not the id lists.
import { LsnError, parseLsn as parseLsnStrict } from "../engines/postgres/lsn.ts";
import type { FinalRead } from "../history/types.ts";
import type { NodeSummary } from "./types.ts";

/** A PostgreSQL LSN ("16/B374D848") as a byte position; undefined when malformed, so a report never throws. */
export function parseLsn(lsn: string): bigint | undefined {
  try {
    return parseLsnStrict(lsn.trim());
  } catch (err) {
    if (err instanceof LsnError) return undefined;
    throw err;
  }
}

export function summariseNodes(
  finalReads: readonly FinalRead[],
  survivingPrimary: string | null,
): NodeSummary[] {
  const survivor = finalReads.find((r) => r.node === survivingPrimary);
  const survivorLsn = survivor?.walLsn === undefined ? undefined : parseLsn(survivor.walLsn);
  return finalReads.map((r) => {
    const node: NodeSummary = { node: r.node, reachable: r.reachable, role: r.role, count: r.ids.length };
    if (r.walLsn !== undefined) {
      node.walLsn = r.walLsn;
      const lsn = parseLsn(r.walLsn);
      if (lsn !== undefined && survivorLsn !== undefined)
        node.walBytesFromSurvivor = Number(lsn - survivorLsn);
    }
    if (r.error !== undefined) node.error = r.error;
    return node;
  });
}
