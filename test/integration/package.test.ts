// The published shape: `npm pack` makes a package that installs into an empty directory and runs the
// compiled CLI with `npx failover-drill`, with no TypeScript loader and no test files in it.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type * as ReferenceAppModule from "../../src/platform/reference-app.ts";
import { packAndInstall, PROJECT_ROOT, type PackedInstall } from "../../scripts/pack-install.ts";

const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function outcome(file: string, args: string[], cwd: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the npm package (integration)", function () {
  // npm install of every dependency from npm's cache: about half a minute on a busy machine.
  this.timeout(240_000);
  let work: string;
  let installed: PackedInstall;
  // npx finds the installed bin in node_modules/.bin; it would ask before fetching anything.
  const npx = (...args: string[]): Promise<Outcome> =>
    outcome("npx", ["failover-drill", ...args], installed.dir);

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "failover-drill-package-"));
    // dist/ is fresh: mocha's setup (test/setup/build-dist.ts) rebuilt it if any source changed.
    installed = await packAndInstall(work, { build: false });
    await copyFile(
      path.join(PROJECT_ROOT, "drills/region-outage.yaml"),
      path.join(installed.dir, "drill.yaml"),
    );
    await copyFile(
      path.join(PROJECT_ROOT, "fixtures/invalid-drills/unknown-fault-region.yaml"),
      path.join(installed.dir, "bad.yaml"),
    );
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("holds the compiled CLI, the compiled reference app and the schema, and no sources, tests or reports", async () => {
    const { stdout } = await run("tar", ["-tzf", installed.tarball]);
    const files = stdout.split("\n").filter((f) => f !== "");
    for (const needed of [
      "package/bin/failover-drill.js",
      "package/dist/src/cli/main.js",
      "package/dist/src/runner/runner.js",
      "package/dist/fixtures/app/server.js",
      "package/schema/drill.schema.json",
      "package/package.json",
    ]) {
      assert.ok(files.includes(needed), `${needed} missing from the package`);
    }
    const unwanted = files.filter(
      (f) =>
        /^package\/(src|test|reports|bench|scripts|fixtures)\//.test(f) ||
        f.endsWith(".ts") ||
        f.endsWith(".tsbuildinfo"),
    );
    assert.deepEqual(unwanted, []);
  });

  it("runs `npx failover-drill --help` with exit 0, listing every command", async () => {
    const help = await npx("--help");
    assert.equal(help.code, 0, help.stderr);
    for (const command of ["run <file>", "validate <files..>", "matrix <file>", "toxiproxy"]) {
      assert.match(help.stdout, new RegExp(`failover-drill ${command.replace(/[.<>]/g, "\\$&")}`));
    }
  });

  it("prints its own version, not that of the project it is installed in", async () => {
    const { version } = JSON.parse(await readFile(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    const printed = await npx("--version");
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout.trim(), version);
  });

  it("validates a drill from drills/ with exit 0 and refuses a bad one with exit 2", async () => {
    const good = await npx("validate", "drill.yaml");
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /drill\.yaml: ok \(region-outage: 2 regions/);
    const bad = await npx("validate", "bad.yaml");
    assert.equal(bad.code, 2, bad.stdout);
    assert.match(bad.stderr, /bad\.yaml:\d+:\d+ faults\[0\]\.region/);
  });

  it("starts the compiled reference app the way a drill does, answering /health without a database", async () => {
    const launcher = path.join(
      installed.dir,
      "node_modules/failover-drill/dist/src/platform/reference-app.js",
    );
    const { referenceAppLaunch } = (await import(pathToFileURL(launcher).href)) as typeof ReferenceAppModule;
    const launch = referenceAppLaunch();
    assert.deepEqual(launch.args, [
      path.join(installed.dir, "node_modules/failover-drill/dist/fixtures/app/server.js"),
    ]);
    const port = await freePort();
    const app = spawn(process.execPath, launch.args, {
      cwd: launch.cwd,
      env: {
        ...process.env,
        REGION: "east",
        HOST: "127.0.0.1",
        PORT: String(port),
        DATABASE_URL: "postgres://postgres@127.0.0.1:1/postgres",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        app.stderr.on("data", (d: Buffer) => d.toString().includes("listening on") && resolve());
        app.once("exit", (code) => reject(new Error(`the app exited with ${code}`)));
      });
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(health.status, 503);
      assert.deepEqual(((await health.json()) as { role: string }).role, "unknown");
    } finally {
      app.kill();
    }
  });

  it("installs without tsx or typescript: the CLI and the app need no loader", async () => {
    const { stdout } = await run("npm", ["ls", "--all", "--parseable"], { cwd: installed.dir });
    assert.doesNotMatch(stdout, /node_modules\/(tsx|typescript)$/m);
  });
});

describe("bin/failover-drill.js without dist/", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "failover-drill-unbuilt-"));
    await mkdir(path.join(dir, "bin"));
    await copyFile(path.join(PROJECT_ROOT, "bin/failover-drill.js"), path.join(dir, "bin/failover-drill.js"));
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("exits 4 saying to run `npm run build`, instead of a stack trace", async () => {
    const result = await outcome(process.execPath, ["bin/failover-drill.js", "--help"], dir);
    assert.equal(result.code, 4);
    assert.match(result.stderr, /the compiled CLI \(dist\/\) is missing; run `npm run build` in /);
    assert.doesNotMatch(result.stderr, /at .*\(/, "no stack trace");
  });
});
