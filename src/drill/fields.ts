// The field names accepted at each level of a drill file, derived from the format's one definition
// (src/drill/format/). Keys are level labels: "" is the top level, `regions[]` a list item,
// `faults[latency]` a fault by type. Free-form mappings (`database.settings`, `app.env`, `objectives`)
// have no fixed names and are not listed.
import { ANY_FAULT_FIELDS } from "./format/faults.ts";
import { DRILL_CATALOGUE, DRILL_LEVELS } from "./format/drill.ts";

export const DRILL_FIELDS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  DRILL_LEVELS.map((level) => [level.label, level.fields]),
);

/** Names people reach for that are deliberately not drill fields, by level and name: what holds instead. */
export const NOT_DRILL_FIELDS = DRILL_CATALOGUE.notFields;

export { ANY_FAULT_FIELDS };

/** The levels (other than `except`) where `field` is a known name, to say where a misplaced field belongs. */
export function levelsHaving(field: string, except: string): string[] {
  return DRILL_CATALOGUE.levelsHaving(field, except);
}
