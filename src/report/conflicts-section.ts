// The active-active part of the report (conflicts and data residency), as tables report.md and
// report.html both render; null for drills without it.
import type { Summary } from "../checkers/types.ts";
import { fmtMs, NA } from "./format.ts";
import type { Table } from "./sections.ts";

const count = (n: number | null): string => (n === null ? NA : String(n));
const kinds = (r: Record<string, number>): string =>
  Object.keys(r).length === 0
    ? "none"
    : Object.entries(r)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ");

export function conflictsTable(s: Summary): Table | null {
  const c = s.measurements.conflicts;
  if (c === undefined) return null;
  const strategy = c.merge === null ? c.strategy : `${c.strategy} (${c.merge})`;
  return {
    header: ["figure", "value", "what it means"],
    rows: [
      ["strategy", strategy, "how concurrent updates of one key are resolved on apply"],
      [
        "keyed writes",
        `${c.keyedWrites} (${c.acknowledged} ok, ${c.indeterminate} indeterminate)`,
        "sets and adds",
      ],
      [
        "lost updates",
        count(c.lostUpdates),
        "acknowledged, not in the final state, not legitimately overwritten",
      ],
      ["lost increments", count(c.lostIncrements), "counter increments missing in the worst region"],
      [
        "discarded despite real time",
        String(c.discardedDespiteRealTime),
        "acknowledged writes LWW discarded although invoked after the write that beat them completed",
      ],
      [
        "overwritten",
        String(c.overwritten),
        "acknowledged writes a later (stamp, region) legitimately overwrote",
      ],
      [
        "concurrent writes (history)",
        String(c.concurrentWrites),
        "made without seeing another region's earlier write",
      ],
      ["conflicts resolved (database)", kinds(c.resolvedByDatabase), "apply-trigger log, by what was kept"],
      ["conflicts (PostgreSQL)", kinds(c.databaseConflicts), "pg_stat_subscription_stats confl_* (18+)"],
      ["apply errors", String(c.applyErrors), "subscription workers stopped (errors, lost connections)"],
      [
        "divergent keys",
        `${count(c.divergentKeys)} at the end, ${c.divergentKeysMax} at most (${c.steadyDivergentKeys} in steady state)`,
        `sampled every second (${c.samples} samples)`,
      ],
      [
        "time to converge",
        c.timeToConvergeMs === null ? "not converged" : fmtMs(c.timeToConvergeMs),
        "last heal -> regions agree again",
      ],
    ],
  };
}

export function residencyTable(s: Summary): Table | null {
  const r = s.measurements.residency;
  if (r === undefined) return null;
  const rows: Table["rows"] = [
    [
      "rows outside their jurisdiction",
      count(r.outOfJurisdictionRows),
      "most in any sample or the final read; must be 0",
    ],
    [
      "writes refused for residency",
      String(r.refusedWrites),
      "no region of the record's jurisdiction took them",
    ],
    [
      "audited cross-region writes",
      String(r.auditedCrossRegion),
      "written in another region of the same jurisdiction",
    ],
    ["audited refusals", String(r.auditedRefused), "refused by an app outside the jurisdiction"],
  ];
  for (const u of r.unavailable)
    rows.push([
      `${u.jurisdiction} unavailable`,
      u.ms === null ? `from ${fmtMs(u.fromMs)} to the end` : fmtMs(u.ms),
      "the RTO the constraint cost: no eligible region, nothing moved abroad",
    ]);
  return { header: ["figure", "value", "what it means"], rows };
}
