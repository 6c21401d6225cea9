// schema/suite.schema.json, generated from the suite format's one definition (npm run schema writes
// it; a unit test fails when the committed file differs).
import { jsonSchemaOf } from "../drill/schema/json-schema.ts";
import type { JsonSchema } from "../drill/schema/spec.ts";
import { SUITE_FORMAT } from "./format.ts";

export const SUITE_SCHEMA_FILE = "schema/suite.schema.json";

export function suiteJsonSchema(): JsonSchema {
  return jsonSchemaOf(SUITE_FORMAT, {
    title: "failover-drill suite",
    description:
      "Drills and matrices run in order, each with optional overrides, and one combined summary. See " +
      "docs/ci.md. Generated from src/suite/format.ts (npm run schema); the loader is the authority, " +
      "this schema is for editors.",
  });
}
