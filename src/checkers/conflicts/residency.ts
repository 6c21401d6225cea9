// Data residency from the evidence: rows found outside their jurisdiction (keyed monitor samples and
// final reads; must be 0), writes refused because no region of the record's jurisdiction took them,
// the manager's refusals to route abroad, and what each refusal cost: refusal -> the jurisdiction's
// first acknowledged write after it.
import { hasResidency, jurisdictions } from "../../drill/active-active.ts";
import { Events } from "../../history/types.ts";
import type { ResidencyMeasurement } from "../../summary/types.ts";
import type { CheckContext } from "../checker.ts";
import { eventsOf, nsToRoundedMs, roundMs, valueOf } from "../history.ts";

export function measureResidency({
  drill,
  index,
  finalReads,
}: CheckContext): ResidencyMeasurement | undefined {
  if (!hasResidency(drill)) return undefined;
  const jurisdictionOf = jurisdictions(drill);
  let outside: number | null = null;
  for (const op of eventsOf(index, Events.divergenceSample)) {
    const rows = Object.values((valueOf(op)["outside"] ?? {}) as Record<string, number>);
    outside = Math.max(
      outside ?? 0,
      rows.reduce((a, b) => a + b, 0),
    );
  }
  let auditedCrossRegion = 0;
  let auditedRefused = 0;
  for (const read of finalReads) {
    if (read.keyed === undefined) continue;
    outside = Math.max(outside ?? 0, read.keyed.outOfJurisdiction);
    auditedCrossRegion += read.keyed.audit["write cross-region"] ?? 0;
    auditedRefused += read.keyed.audit["write refused"] ?? 0;
  }
  const writes = [...index.writes.values()].filter((w) => w.keyed !== undefined);
  const refusedWrites = writes.filter((w) => w.outcome === "fail" && /residency:/.test(w.error ?? "")).length;
  const refusals = eventsOf(index, Events.residencyRefused).map((op) => {
    const v = valueOf(op);
    return {
      jurisdiction: String(v["jurisdiction"] ?? ""),
      atMs: nsToRoundedMs(op.time),
      reason: String(v["reason"] ?? ""),
    };
  });
  const unavailable = refusals.map((r) => {
    const next = writes
      .filter(
        (w) =>
          w.outcome === "ok" &&
          w.completeNs !== null &&
          nsToRoundedMs(w.completeNs) > r.atMs &&
          jurisdictionOf.get(w.keyed!.home) === r.jurisdiction,
      )
      .reduce<number | null>((first, w) => Math.min(first ?? Infinity, nsToRoundedMs(w.completeNs!)), null);
    return {
      jurisdiction: r.jurisdiction,
      fromMs: r.atMs,
      toMs: next,
      ms: next === null ? null : roundMs(next - r.atMs),
    };
  });
  return {
    outOfJurisdictionRows: outside,
    refusedWrites,
    refusals,
    unavailable,
    auditedCrossRegion,
    auditedRefused,
    ...(outside === null ? { reason: "no sample or final read of the regions' rows" } : {}),
  };
}
