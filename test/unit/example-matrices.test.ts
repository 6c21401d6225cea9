import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { MATRIX_FIELDS } from "../../src/matrix/format.ts";
import { matrixJsonSchema } from "../../src/matrix/json-schema.ts";
import { loadMatrix, MatrixValidationError, parseMatrix } from "../../src/matrix/load.ts";
import { schemaErrorsIn, type Schema } from "./json-schema-check.ts";

const matrixSchema = JSON.parse(await readFile("schema/matrix.schema.json", "utf8")) as Schema;

const MATRIX_FILES: string[] = [];
for (const f of (await readdir("drills")).filter((name) => name.endsWith(".yaml"))) {
  const text = await readFile(join("drills", f), "utf8");
  if (/^base:/m.test(text) && /^parameters:/m.test(text)) MATRIX_FILES.push(join("drills", f));
}

describe("example matrices in drills/", () => {
  it("has the seed-tradeoffs matrix", () => {
    assert.ok(MATRIX_FILES.includes(join("drills", "seed-tradeoffs.yaml")), MATRIX_FILES.join(", "));
  });

  for (const file of MATRIX_FILES) {
    it(`validates every cell of ${file} against the drill loader`, async () => {
      const plan = await loadMatrix(file);
      assert.ok(plan.cells.length >= 2, `${plan.cells.length} cells`);
    });
  }
});

describe("matrix JSON Schema", () => {
  it("is the schema generated from the matrix format's definition (npm run schema writes it)", () => {
    assert.deepEqual(
      matrixSchema,
      matrixJsonSchema(),
      "schema/matrix.schema.json is stale: run npm run schema",
    );
  });

  it("names exactly the fields the matrix loader accepts", () => {
    assert.deepEqual(Object.keys(matrixSchema.properties as Schema), [...MATRIX_FIELDS]);
  });

  for (const file of MATRIX_FILES) {
    it(`accepts ${file} and points editors at it`, async () => {
      const text = await readFile(file, "utf8");
      assert.match(text, /^# yaml-language-server: \$schema=\.\.\/schema\/matrix\.schema\.json$/m);
      assert.deepEqual(schemaErrorsIn(matrixSchema, parseYaml(text), matrixSchema), []);
    });
  }

  const MATRIX = "name: m\nbase: b.yaml\nparameters:\n  dns.ttl: [1s, 5s]\n";
  const verdicts = (text: string): [boolean, boolean] => {
    let loader = true;
    try {
      parseMatrix(text, "m.yaml");
    } catch (err) {
      if (!(err instanceof MatrixValidationError)) throw err;
      loader = false;
    }
    return [loader, schemaErrorsIn(matrixSchema, parseYaml(text), matrixSchema).length === 0];
  };

  it("accepts a small matrix in the loader and in the schema", () => {
    assert.deepEqual(verdicts(MATRIX), [true, true]);
    assert.deepEqual(verdicts(`${MATRIX}exclude: [{ dns.ttl: 1s }]\ninclude: [{ dns.ttl: 9s }]\n`), [
      true,
      true,
    ]);
  });

  const rejected: Array<[string, string]> = [
    ["an unknown field", `${MATRIX}cells: 3\n`],
    ["a bad name", MATRIX.replace("name: m", "name: Bad Name")],
    ["a missing base", MATRIX.replace("base: b.yaml\n", "")],
    ["a repeat below 1", `${MATRIX}repeat: 0\n`],
    ["no parameters", "name: m\nbase: b.yaml\nparameters: {}\n"],
    ["a parameter without values", "name: m\nbase: b.yaml\nparameters: { dns.ttl: [] }\n"],
    ["an empty exclusion", `${MATRIX}exclude: [{}]\n`],
  ];
  for (const [what, text] of rejected) {
    it(`rejects ${what} in the loader and in the schema`, () => {
      assert.deepEqual(verdicts(text), [false, false]);
    });
  }
});
