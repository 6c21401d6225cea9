import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freshDirectory } from "../../src/runner/run-files.ts";

describe("run directories", () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), "fresh-dir-"));
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it("runs started in the same second each get a directory of their own", async () => {
    const wanted = path.join(parent, "region-outage", "20261129T120000Z");
    const dirs = await Promise.all(Array.from({ length: 5 }, () => freshDirectory(wanted)));
    assert.equal(new Set(dirs).size, 5);
    assert.deepEqual([...dirs].sort(), [wanted, `${wanted}-2`, `${wanted}-3`, `${wanted}-4`, `${wanted}-5`]);
    for (const dir of dirs) assert.ok((await stat(dir)).isDirectory());
  });

  it("an error other than an existing directory is thrown, not retried", async () => {
    const file = path.join(parent, "not-a-directory");
    await writeFile(file, "");
    await assert.rejects(freshDirectory(path.join(file, "20261129T120000Z")), /EEXIST|ENOTDIR/);
  });
});
