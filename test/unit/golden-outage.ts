// The golden region-outage history (fixtures/histories/region-outage-lost-writes.jsonl) that the report
// tests render: east is killed at 5 s, west is writable at 7.9 s, and writes #3 and #4 acked by east
// are lost.
import { readFileSync } from "node:fs";
import { analyze } from "../../src/checkers/index.ts";
import { sampleDrill } from "../../src/checkers/history-builder.ts";
import type { Summary } from "../../src/checkers/types.ts";
import type { Drill } from "../../src/drill/types.ts";
import { parseHistory } from "../../src/history/recorder.ts";
import type { FinalRead } from "../../src/history/types.ts";

/** The golden history itself, for tests that call analyze() with other checkers. */
export const outageHistory = parseHistory(
  readFileSync(new URL("../../fixtures/histories/region-outage-lost-writes.jsonl", import.meta.url), "utf8"),
);

/** Both nodes read: east still holds #3 and #4, west holds the writes made after the failover. */
export const outageReads: FinalRead[] = [
  { node: "east", reachable: true, role: "primary", ids: [1, 2, 3, 4], walLsn: "0/3000000" },
  { node: "west", reachable: true, role: "primary", ids: [1, 2, 7, 8], walLsn: "0/3000100" },
];

/** The golden history analysed under sampleDrill(drill). */
export function outageSummary(
  drill: Partial<Drill>,
  finalReads: readonly FinalRead[] = outageReads,
): Summary {
  return analyze({
    drill: sampleDrill(drill),
    history: outageHistory,
    finalReads,
    startedAt: "2026-01-01T00:00:00.000Z",
  });
}
