// JSON Schema (2020-12) from a format's definition, for editors: named definitions go to $defs.
import type { JsonSchema, SchemaBuilder, ValueSpec } from "./spec.ts";

export const JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

/** The whole schema document: `header` (title, description) first, then the root, then $defs. */
export function jsonSchemaOf(root: ValueSpec<unknown>, header: JsonSchema): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const builder: SchemaBuilder = {
    ref(name, define) {
      if (!(name in defs)) {
        defs[name] = {};
        defs[name] = define();
      }
      return { $ref: `#/$defs/${name}` };
    },
  };
  const body = root.schema(builder);
  const named = Object.keys(defs).length === 0 ? {} : { $defs: defs };
  return { $schema: JSON_SCHEMA_DIALECT, ...header, ...body, ...named };
}
