import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadMatrix } from "../../src/matrix/load.ts";

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
