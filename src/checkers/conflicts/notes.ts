// Sentences for the summary's notes about conflicts and residency: what a reader must not miss.
import type { ConflictsMeasurement, ResidencyMeasurement } from "../../summary/types.ts";

const s = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function conflictsNotes(m: ConflictsMeasurement): string[] {
  const notes: string[] = [];
  if (m.divergentKeys !== null && m.divergentKeys > 0)
    notes.push(
      `regions still disagree on ${s(m.divergentKeys, "key")} at the end (conflicts ${m.strategy}): they did not converge`,
    );
  if ((m.lostUpdates ?? 0) > 0)
    notes.push(
      `${s(m.lostUpdates ?? 0, "acknowledged update")} lost under conflicts ${m.strategy}` +
        ((m.lostIncrements ?? 0) > 0 ? ` (${s(m.lostIncrements ?? 0, "counter increment")})` : ""),
    );
  if (m.discardedDespiteRealTime > 0)
    notes.push(
      `last-writer-wins discarded ${s(m.discardedDespiteRealTime, "acknowledged write")} invoked after the ` +
        "write that beat it had completed: a clock running ahead won",
    );
  if (m.applyErrors > 0)
    notes.push(
      `logical replication apply workers failed ${s(m.applyErrors, "time")} (errors or lost connections)`,
    );
  return notes;
}

export function residencyNotes(m: ResidencyMeasurement): string[] {
  const notes: string[] = [];
  if ((m.outOfJurisdictionRows ?? 0) > 0)
    notes.push(
      `${s(m.outOfJurisdictionRows ?? 0, "row")} found outside their jurisdiction: residency violated`,
    );
  for (const u of m.unavailable)
    notes.push(
      `${u.jurisdiction} records had no eligible region from ${(u.fromMs / 1000).toFixed(1)} s and were refused, ` +
        `not moved abroad: ${u.ms === null ? "unavailable to the end of the workload" : `unavailable for ${(u.ms / 1000).toFixed(1)} s`}`,
    );
  return notes;
}
