// Writes the JSON Schemas generated from the format definitions: npm run schema.
import { writeFile } from "node:fs/promises";
import { format, resolveConfig } from "prettier";
import { DRILL_SCHEMA_FILE, drillJsonSchema } from "../src/drill/format/json-schema.ts";
import { MATRIX_SCHEMA_FILE, matrixJsonSchema } from "../src/matrix/json-schema.ts";
import { SUITE_SCHEMA_FILE, suiteJsonSchema } from "../src/suite/json-schema.ts";

const schemas: Array<[string, unknown]> = [
  [DRILL_SCHEMA_FILE, drillJsonSchema()],
  [MATRIX_SCHEMA_FILE, matrixJsonSchema()],
  [SUITE_SCHEMA_FILE, suiteJsonSchema()],
];

for (const [file, schema] of schemas) {
  const options = (await resolveConfig(file)) ?? {};
  await writeFile(file, await format(JSON.stringify(schema), { ...options, filepath: file }));
  console.log(`wrote ${file}`);
}
