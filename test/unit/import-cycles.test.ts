import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { readImportGraph } from "../../scripts/import-graph.ts";
import { findImportCycles } from "../../scripts/import-cycles.ts";

const run = promisify(execFile);
const graph = (edges: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(edges));

describe("import circles", () => {
  it("finds none in a graph without circles", () => {
    const report = findImportCycles(graph({ a: ["b", "c"], b: ["c"], c: [] }));
    assert.deepEqual(report, { cycles: [], truncated: false });
  });

  it("lists every circle once, from its alphabetically first module, including a self-import", () => {
    const report = findImportCycles(graph({ a: ["b"], b: ["c", "a"], c: ["a"], d: ["d"], e: ["a"] }));
    assert.deepEqual(report.cycles, [
      ["a", "b", "a"],
      ["a", "b", "c", "a"],
      ["d", "d"],
    ]);
  });

  it("stops listing at the limit and says the list is truncated", () => {
    const complete = graph({
      a: ["b", "c", "d"],
      b: ["a", "c", "d"],
      c: ["a", "b", "d"],
      d: ["a", "b", "c"],
    });
    const report = findImportCycles(complete, 3);
    assert.equal(report.cycles.length, 3);
    assert.equal(report.truncated, true);
  });

  describe("in a source tree", () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "import-cycles-"));
      await mkdir(path.join(dir, "tree/sub"), { recursive: true });
      const files: Record<string, string> = {
        // A type-only import and an `export ... from` close the circle: both count.
        "tree/a.ts": `import type { B } from "./sub/b.ts";\nexport type A = B;\n`,
        "tree/sub/b.ts": `export { c as b } from "../c.ts";\nexport type B = number;\n`,
        "tree/c.ts": `// import { nope } from "./d.ts" is a comment\nexport const c = await import("./a.ts");\n`,
        "tree/d.ts": `import { c } from "./c.ts";\nimport "node:fs";\nexport const d = c;\n`,
      };
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("reads type-only, re-export and dynamic imports, and not commented ones or packages", () => {
      const read = readImportGraph(["tree"], dir);
      assert.deepEqual(Object.fromEntries(read), {
        "tree/a.ts": ["tree/sub/b.ts"],
        "tree/c.ts": ["tree/a.ts"],
        "tree/d.ts": ["tree/c.ts"],
        "tree/sub/b.ts": ["tree/c.ts"],
      });
    });

    it("makes the check script exit 1, naming the circle's path", async () => {
      const script = "scripts/check-import-cycles.ts";
      const failed = await run(process.execPath, ["--import", "tsx", script, path.join(dir, "tree")]).then(
        () => assert.fail("the check should fail"),
        (err: { code: number; stderr: string }) => err,
      );
      assert.equal(failed.code, 1);
      const [a, b, c] = ["a.ts", "sub/b.ts", "c.ts"].map((f) => path.join(dir, "tree", f));
      assert.ok(failed.stderr.includes(`${a} -> ${b} -> ${c} -> ${a}`), failed.stderr);
    });
  });

  it("finds none in this repository's sources", () => {
    const report = findImportCycles(readImportGraph(["src", "bench", "fixtures", "bin", "scripts", "test"]));
    assert.deepEqual(report.cycles, []);
  });
});
