// Where the compiled and the source layouts find the reference app and the version.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ownVersion } from "../../src/cli/version.ts";
import { referenceAppLaunch } from "../../src/platform/reference-app.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("reference app launch", () => {
  it("runs the TypeScript server through tsx when running from the sources", () => {
    const { args, cwd } = referenceAppLaunch();
    assert.equal(args[0], "--import");
    assert.match(args[1] ?? "", /^file:\/\/.*\/node_modules\/tsx\//);
    assert.equal(args[2], path.join(root, "fixtures/app/server.ts"));
    assert.equal(cwd, root);
  });

  it("runs the compiled server, with no loader, from dist/", () => {
    const compiled = pathToFileURL("/opt/pkg/dist/src/platform/reference-app.js").href;
    assert.deepEqual(referenceAppLaunch(compiled), {
      args: ["/opt/pkg/dist/fixtures/app/server.js"],
      cwd: "/opt/pkg/dist/",
    });
  });
});

describe("--version", () => {
  it("is the version in our package.json, found from src/ or dist/src/", async () => {
    const { version } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
      version: string;
    };
    assert.equal(ownVersion(pathToFileURL(path.join(root, "src/cli/"))), version);
    assert.equal(ownVersion(pathToFileURL(path.join(root, "dist/src/cli/"))), version);
  });

  it("is unknown, not another project's version, when no package.json above is ours", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "version-"));
    try {
      assert.equal(ownVersion(pathToFileURL(`${dir}/`)), "unknown");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
