// What a drill needs installed: programs found on the search path or named with their package, and the
// error that stops a drill before it starts anything.
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadDrill } from "../../src/drill/load.ts";
import {
  installCommand,
  locate,
  MissingComponentsError,
  missingRequirements,
  type Requirement,
} from "../../src/platform/requirements.ts";
import { drillRequirements } from "../../src/runner/requirements.ts";

const saved = process.env.FAILOVER_DRILL_PATH;
const restore = (): void => {
  if (saved === undefined) delete process.env.FAILOVER_DRILL_PATH;
  else process.env.FAILOVER_DRILL_PATH = saved;
};

describe("requirements", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "requirements-"));
    await writeFile(path.join(dir, "fake-manager"), "#!/bin/sh\n");
    await chmod(path.join(dir, "fake-manager"), 0o755);
    await writeFile(path.join(dir, "not-executable"), "");
  });
  after(async () => {
    restore();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(restore);

  it("finds an executable in a requirement's own directories", () => {
    delete process.env.FAILOVER_DRILL_PATH;
    assert.equal(locate({ command: "fake-manager", dirs: [dir] }), path.join(dir, "fake-manager"));
  });

  it("does not count a file that is not executable as installed", () => {
    assert.equal(locate({ command: "not-executable", dirs: [dir] }), undefined);
  });

  it("finds a file a component loads (an extension's library) in its own directories only", () => {
    process.env.FAILOVER_DRILL_PATH = os.tmpdir();
    assert.equal(
      locate({ command: "not-executable", dirs: [dir], file: true }),
      path.join(dir, "not-executable"),
    );
    assert.equal(locate({ command: "missing.so", dirs: [dir], file: true }), undefined);
  });

  it("looks only in FAILOVER_DRILL_PATH when it is set", () => {
    process.env.FAILOVER_DRILL_PATH = dir;
    assert.equal(locate({ command: "fake-manager" }), path.join(dir, "fake-manager"));
    assert.equal(locate({ command: "sh" }), undefined);
  });

  it("lists each missing program once and installs each package once", () => {
    const needs: Requirement[] = [
      { command: "no-such-program-a", package: "pkg-one", purpose: "a" },
      { command: "no-such-program-a", package: "pkg-one", purpose: "a again" },
      { command: "no-such-program-b", package: "pkg-one", purpose: "b" },
      { command: "sh", package: "dash", purpose: "a shell" },
    ];
    const missing = missingRequirements(needs);
    assert.deepEqual(
      missing.map((r) => r.command),
      ["no-such-program-a", "no-such-program-b"],
    );
    assert.equal(installCommand(missing), "apt-get install -y pkg-one");
  });

  it("names the drill, every missing program with its purpose and the install command", () => {
    const err = new MissingComponentsError("patroni-outage", [
      { command: "patroni", package: "patroni", purpose: "the failover manager" },
      { command: "etcd", package: "etcd-server", purpose: "Patroni's DCS" },
    ]);
    assert.match(
      err.message,
      /drill patroni-outage needs patroni \(the failover manager\), etcd \(Patroni's DCS\)/,
    );
    assert.match(err.message, /apt-get install -y patroni etcd-server/);
  });

  it("asks for docker on the docker platform and nothing for the built-in stack on local", async () => {
    const local = await loadDrill("drills/region-outage.yaml");
    assert.deepEqual(drillRequirements(local), []);
    const docker = await loadDrill("drills/region-outage.yaml", { platform: "docker" });
    assert.deepEqual(
      drillRequirements(docker).map((r) => `${r.command}:${r.package}`),
      ["docker:docker.io"],
    );
  });

  it("asks for named and unbound for BIND + Unbound, on docker too (they run on the host)", async () => {
    const local = await loadDrill("drills/bind9-unbound.yaml");
    const names = (drill: typeof local): string[] =>
      drillRequirements(drill).map((r) => `${r.command}:${r.package}`);
    assert.deepEqual(names(local), ["named:bind9", "unbound:unbound"]);
    const docker = await loadDrill("drills/bind9-unbound.yaml", { platform: "docker" });
    assert.deepEqual(names(docker), ["docker:docker.io", "named:bind9", "unbound:unbound"]);
  });
});
