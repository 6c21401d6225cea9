// A format's field names by level, as the reader needs them to explain an unknown field.
import type { FieldCatalogue } from "../reader.ts";
import type { Level } from "./spec.ts";

export function catalogueOf(levels: readonly Level[]): FieldCatalogue {
  const notFields: Record<string, string> = {};
  for (const level of levels) {
    for (const [name, instead] of Object.entries(level.notFields ?? {})) {
      notFields[`${level.label}.${name}`] = instead;
    }
  }
  return {
    notFields,
    levelsHaving: (field, except) =>
      levels.filter((l) => l.label !== except && l.fields.includes(field)).map((l) => l.label),
  };
}
