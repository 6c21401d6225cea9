// The field names accepted at each level of a drill file, derived from the format's one definition
// (src/drill/format/). Keys are level labels: "" is the top level, `regions[]` a list item,
// `faults[latency]` a fault by type. Free-form mappings (`database.settings`, `app.env`, `objectives`)
// have no fixed names and are not listed.
import { DRILL_LEVELS } from "./format/drill.ts";

export const DRILL_FIELDS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  DRILL_LEVELS.map((level) => [level.label, level.fields]),
);
