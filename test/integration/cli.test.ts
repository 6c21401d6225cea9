import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main.ts";
import { writeStoredRun } from "../unit/stored-run.ts";
import { spawnCli } from "./cli-process.ts";

function capture(): {
  io: { out: (t: string) => void; err: (t: string) => void };
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

const workspaces = async (): Promise<string[]> =>
  (await readdir(os.tmpdir())).filter((n) => n.startsWith("failover-drill-"));

describe("failover-drill CLI", () => {
  it("accepts the example drills with validate and exits 0", async () => {
    const c = capture();
    const code = await main(
      ["validate", "drills/region-outage.yaml", "drills/replication-cut-before-outage.yaml"],
      c.io,
    );
    assert.equal(code, 0, c.err.join("\n"));
    assert.match(c.out.join("\n"), /region-outage\.yaml: ok/);
  });

  it("rejects an invalid drill with validate, naming file, line and field, and exits 2", async () => {
    const c = capture();
    const code = await main(["validate", "fixtures/invalid-drills/unknown-fault-region.yaml"], c.io);
    assert.equal(code, 2);
    assert.match(c.err.join("\n"), /unknown-fault-region\.yaml:\d+:\d+ faults\[0\]\.region/);
  });

  it("refuses to run an invalid drill with exit 2 and starts nothing", async () => {
    const before = await workspaces();
    const c = capture();
    const code = await main(["run", "fixtures/invalid-drills/unknown-fault-region.yaml"], c.io);
    assert.equal(code, 2);
    assert.deepEqual(await workspaces(), before);
  });

  it("exits 2 on an unknown command or a missing file", async () => {
    assert.equal(await main(["frobnicate"], capture().io), 2);
    const c = capture();
    assert.equal(await main(["validate", "drills/does-not-exist.yaml"], c.io), 2);
    assert.match(c.err.join("\n"), /does-not-exist\.yaml/);
  });

  describe("--platform and --toxiproxy-url", function () {
    // Each case starts node + tsx; the machine is shared.
    this.timeout(60_000);
    let tmp: string;
    before(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), "cli-platform-test-"));
      await writeFile(
        path.join(tmp, "docker-drill.yaml"),
        "name: docker-drill\nplatform: docker\nregions:\n  - { name: us-east, role: primary }\n" +
          "  - { name: eu-west, role: standby }\napp: { image: shop/orders:2 }\n",
      );
    });
    after(async () => {
      await rm(tmp, { recursive: true, force: true });
    });

    it("exits 2 on a --platform value that is not local or docker, naming the choices", async () => {
      const out = path.join(tmp, "reports-bad-platform");
      const r = await spawnCli([
        "run",
        "drills/region-outage.yaml",
        "--platform",
        "kubernetes",
        "--out",
        out,
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /platform.*"kubernetes".*local.*docker/s);
      assert.deepEqual((await readdir(tmp)).sort(), ["docker-drill.yaml"]);
    });

    it("exits 2 on an unknown option and starts nothing (yargs must not run the command anyway)", async () => {
      const out = path.join(tmp, "reports-typo");
      const r = await spawnCli(["run", "drills/region-outage.yaml", "--plattform", "docker", "--out", out]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /Unknown argument: plattform/);
      assert.doesNotMatch(r.stdout, /starting topology/);
      assert.deepEqual((await readdir(tmp)).sort(), ["docker-drill.yaml"], "no reports directory");
    });

    it("refuses --toxiproxy-url with the docker platform with exit 2 and starts nothing", async () => {
      const out = path.join(tmp, "reports-toxiproxy");
      const url = "http://127.0.0.1:1";
      const overridden = await spawnCli([
        "run",
        "drills/region-outage.yaml",
        "--platform",
        "docker",
        "--toxiproxy-url",
        url,
        "--out",
        out,
      ]);
      assert.equal(overridden.code, 2, overridden.stderr);
      assert.match(
        overridden.stderr,
        /--toxiproxy-url is for the local platform; on docker use docker\.images\.toxiproxy/,
      );
      const fromFile = await spawnCli([
        "run",
        path.join(tmp, "docker-drill.yaml"),
        "--toxiproxy-url",
        url,
        "--out",
        out,
      ]);
      assert.equal(fromFile.code, 2, fromFile.stderr);
      assert.match(fromFile.stderr, /--toxiproxy-url is for the local platform/);
      assert.deepEqual((await readdir(tmp)).sort(), ["docker-drill.yaml"], "no reports directory");
    });

    it("fails validation of app.image on local and passes it with --platform docker", async () => {
      const fixture = "fixtures/invalid-drills/app-image-on-local.yaml";
      const local = await spawnCli(["validate", fixture]);
      assert.equal(local.code, 2, local.stdout);
      assert.match(
        local.stderr,
        /app-image-on-local\.yaml:6:10 app\.image: needs platform: docker; on local use app\.command/,
      );
      const docker = await spawnCli(["validate", "--platform", "docker", fixture]);
      assert.equal(docker.code, 0, docker.stderr);
      assert.match(docker.stdout, /app-image-on-local\.yaml: ok \(invalid-example: .*platform docker\)/);
    });

    it("applies matrix --platform to every cell and refuses --toxiproxy-url with docker", async () => {
      const dry = capture();
      const args = ["matrix", "drills/seed-tradeoffs.yaml", "--dry-run", "--platform", "docker"];
      assert.equal(await main(args, dry.io), 0, dry.err.join("\n"));
      assert.match(dry.out.join("\n"), /6 cells/);
      const refused = capture();
      const out = path.join(tmp, "reports-matrix");
      assert.equal(
        await main([...args, "--toxiproxy-url", "http://127.0.0.1:1", "--out", out], refused.io),
        2,
      );
      assert.match(refused.err.join("\n"), /--toxiproxy-url is for the local platform/);
      assert.deepEqual((await readdir(tmp)).sort(), ["docker-drill.yaml"]);
    });

    it("applies --platform local to a docker drill before validating it", async () => {
      const file = path.join(tmp, "docker-drill.yaml");
      assert.equal((await spawnCli(["validate", file])).code, 0);
      const r = await spawnCli([
        "run",
        file,
        "--platform",
        "local",
        "--out",
        path.join(tmp, "reports-local"),
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /docker-drill\.yaml:6:\d+ app\.image: needs platform: docker \(--platform local\)/,
      );
      assert.deepEqual((await readdir(tmp)).sort(), ["docker-drill.yaml"]);
    });
  });
});

/**
 * The modules (file URLs) node resolved while running the compiled CLI with `args`, recorded by a
 * resolve hook registered before the bin starts.
 */
async function modulesLoadedBy(args: string[]): Promise<{ code: number | null; urls: string[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "cli-imports-"));
  const record = path.join(dir, "urls.txt");
  await writeFile(record, "");
  const hooks =
    'import { appendFileSync } from "node:fs";' +
    "export async function resolve(specifier, context, next) {" +
    "  const resolved = await next(specifier, context);" +
    "  appendFileSync(process.env.RECORD_IMPORTS_TO, resolved.url + '\\n');" +
    "  return resolved;" +
    "}";
  const register =
    'import { register } from "node:module";' +
    `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  try {
    const child = spawn(
      process.execPath,
      ["--import", `data:text/javascript,${encodeURIComponent(register)}`, "bin/failover-drill.js", ...args],
      { stdio: "ignore", env: { ...process.env, RECORD_IMPORTS_TO: record } },
    );
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    const urls = (await readFile(record, "utf8")).split("\n").filter((u) => u !== "");
    return { code, urls };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What only a command's handler may load: the runner and its heavy dependencies. */
const HEAVY =
  /\/node_modules\/(pg|testcontainers|axios|yaml|toxiproxy-node-client|dockerode)\/|\/dist\/src\/(runner|topology|platform|engines|toxiproxy|matrix|drill\/load)/;

describe("failover-drill start-up (compiled CLI)", function () {
  this.timeout(30_000);

  it("loads no runner, database, docker, HTTP or YAML module for --help", async () => {
    const { code, urls } = await modulesLoadedBy(["--help"]);
    assert.equal(code, 0);
    assert.ok(
      urls.some((u) => u.endsWith("/dist/src/cli/main.js")),
      "the recorder saw the CLI load",
    );
    assert.deepEqual(
      urls.filter((u) => HEAVY.test(u)),
      [],
    );
  });

  it("loads the drill loader and YAML only once validate's handler runs", async () => {
    const { code, urls } = await modulesLoadedBy(["validate", "drills/region-outage.yaml"]);
    assert.equal(code, 0);
    assert.ok(urls.some((u) => u.includes("/dist/src/cli/handlers/validate.js")));
    assert.ok(urls.some((u) => u.includes("/dist/src/drill/load.js")));
    assert.ok(urls.some((u) => u.includes("/node_modules/yaml/")));
    assert.ok(!urls.some((u) => u.includes("/dist/src/runner/")), "validate starts nothing");
  });

  it("loads check's handler only when it runs, and no runner, topology or YAML for it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "cli-check-"));
    try {
      await writeStoredRun(path.join(dir, "run"), []);
      const { code, urls } = await modulesLoadedBy([
        "check",
        path.join(dir, "run"),
        "--out",
        path.join(dir, "out"),
      ]);
      assert.equal(code, 0);
      assert.ok(urls.some((u) => u.includes("/dist/src/cli/handlers/check.js")));
      assert.deepEqual(
        urls.filter((u) =>
          /\/dist\/src\/(runner\/runner|topology\/(local|docker)|drill\/load)\.js|\/node_modules\/yaml\//.test(
            u,
          ),
        ),
        [],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
