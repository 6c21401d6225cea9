// schema/matrix.schema.json, generated from the matrix format's one definition (npm run schema writes
// it; a unit test fails when the committed file differs).
import { jsonSchemaOf } from "../drill/schema/json-schema.ts";
import type { JsonSchema } from "../drill/schema/spec.ts";
import { MATRIX_FORMAT } from "./format.ts";

export const MATRIX_SCHEMA_FILE = "schema/matrix.schema.json";

export function matrixJsonSchema(): JsonSchema {
  return jsonSchemaOf(MATRIX_FORMAT, {
    title: "failover-drill matrix",
    description:
      "One base drill run over a grid of parameter values. See docs/matrix.md. Generated from " +
      "src/matrix/format.ts (npm run schema); the loader is the authority, this schema is for editors.",
  });
}
