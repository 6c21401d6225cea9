// schema/drill.schema.json, generated from the drill format's one definition (npm run schema writes
// it; a unit test fails when the committed file differs).
import { jsonSchemaOf } from "../schema/json-schema.ts";
import type { JsonSchema } from "../schema/spec.ts";
import { DRILL_FORMAT } from "./drill.ts";

export const DRILL_SCHEMA_FILE = "schema/drill.schema.json";

export function drillJsonSchema(): JsonSchema {
  return jsonSchemaOf(DRILL_FORMAT, {
    title: "failover-drill drill",
    description:
      "One failover drill: topology, workload, fault timeline and recovery objectives. See " +
      "docs/drill-format.md. Generated from src/drill/format/ (npm run schema); the loader is the " +
      "authority, this schema is for editors.",
  });
}
