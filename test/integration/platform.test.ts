import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { freePort, freePortOnAll, regionAddress } from "../../src/platform/ports.ts";
import {
  ProcessSpawnError,
  ProcessSupervisor,
  processAlive,
  processDescendants,
  processGroupAlive,
  processGroupMembers,
  runCommand,
} from "../../src/platform/processes.ts";
import { parsePasswdEntry, unprivilegedUser } from "../../src/platform/user.ts";
import { Workspace, copyDirectory } from "../../src/platform/workspace.ts";
import { uidOf } from "./helpers.ts";

const isRoot = process.getuid?.() === 0;

function listenOn(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The command name of a process (/proc/<pid>/comm); "" when it is gone. */
async function commandOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim();
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await delay(20);
  }
}

describe("ports", () => {
  it("maps 0-based region indexes to their own loopback addresses", () => {
    assert.equal(regionAddress(0), "127.0.1.1");
    assert.equal(regionAddress(2), "127.0.3.1");
    assert.throws(() => regionAddress(255), RangeError);
    assert.throws(() => regionAddress(-1), RangeError);
  });

  it("hands out a port that can then be bound on the requested host", async () => {
    const port = await freePort("127.0.2.1");
    const server = await listenOn("127.0.2.1", port);
    await closeServer(server);
  });

  it("does not hand out the same port twice in a row", async () => {
    const ports = new Set<number>();
    for (let i = 0; i < 20; i++) ports.add(await freePort("127.0.0.1"));
    assert.equal(ports.size, 20);
  });

  it("finds one port number free on every region address at once", async () => {
    const hosts = [regionAddress(0), regionAddress(1), regionAddress(2)];
    const port = await freePortOnAll(hosts);
    const servers = await Promise.all(hosts.map((h) => listenOn(h, port)));
    await Promise.all(servers.map(closeServer));
  });
});

describe("unprivileged user", () => {
  it("parses a user's uid and gid from passwd text", () => {
    const passwd =
      "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
    assert.deepEqual(parsePasswdEntry(passwd, "nobody"), { uid: 65534, gid: 65534, name: "nobody" });
    assert.equal(parsePasswdEntry(passwd, "postgres"), null);
  });

  it("is nobody when root and nobody otherwise named, or null when not root", () => {
    const user = unprivilegedUser();
    if (isRoot) {
      assert.equal(user?.name, process.env.FAILOVER_DRILL_PG_USER || "nobody");
      assert.notEqual(user?.uid, 0);
    } else {
      assert.equal(user, null);
    }
  });

  it("rejects a FAILOVER_DRILL_PG_USER that does not exist", function () {
    if (!isRoot) this.skip();
    const before = process.env.FAILOVER_DRILL_PG_USER;
    process.env.FAILOVER_DRILL_PG_USER = "no-such-user-failover-drill";
    try {
      assert.throws(() => unprivilegedUser(), { name: "UnprivilegedUserError" });
    } finally {
      if (before === undefined) delete process.env.FAILOVER_DRILL_PG_USER;
      else process.env.FAILOVER_DRILL_PG_USER = before;
    }
  });
});

describe("Workspace", () => {
  const created: Workspace[] = [];
  afterEach(async () => {
    for (const ws of created.splice(0)) {
      await ws.remove();
      if (ws.keep)
        await import("node:fs/promises").then((fs) => fs.rm(ws.dir, { recursive: true, force: true }));
    }
  });

  it("creates a named temp dir and removes it with everything inside", async () => {
    const ws = await Workspace.create("my drill/1");
    created.push(ws);
    assert.match(path.basename(ws.dir), /^failover-drill-my-drill-1-/);
    await mkdir(ws.path("region", "data"), { recursive: true });
    await writeFile(ws.path("region", "data", "file"), "x");
    await ws.remove();
    assert.equal(existsSync(ws.dir), false);
  });

  it("creates workspaces under FAILOVER_DRILL_WORKDIR when it is set", async () => {
    const parent = await Workspace.create("parent");
    created.push(parent);
    const before = process.env.FAILOVER_DRILL_WORKDIR;
    process.env.FAILOVER_DRILL_WORKDIR = parent.dir;
    try {
      const ws = await Workspace.create("child");
      created.push(ws);
      assert.equal(path.dirname(ws.dir), parent.dir);
    } finally {
      if (before === undefined) delete process.env.FAILOVER_DRILL_WORKDIR;
      else process.env.FAILOVER_DRILL_WORKDIR = before;
    }
  });

  it("keeps the directory when asked to", async () => {
    const ws = await Workspace.create("kept", { keep: true });
    created.push(ws);
    await ws.remove();
    assert.equal(existsSync(ws.dir), true);
  });

  it("refuses paths that climb out of the workspace", async () => {
    const ws = await Workspace.create("paths");
    created.push(ws);
    assert.equal(ws.path("a", "b"), path.join(ws.dir, "a", "b"));
    assert.throws(() => ws.path("..", "etc"), { name: "WorkspaceError" });
  });

  it("hands a directory tree to the unprivileged user", async function () {
    if (!isRoot) this.skip();
    const ws = await Workspace.create("chown");
    created.push(ws);
    await mkdir(ws.path("d", "e"), { recursive: true });
    await writeFile(ws.path("d", "e", "f"), "x");
    await ws.chownForUnprivileged(ws.path("d"));
    const uid = unprivilegedUser()!.uid;
    assert.equal((await stat(ws.path("d"))).uid, uid);
    assert.equal((await stat(ws.path("d", "e", "f"))).uid, uid);
    // The unprivileged user can reach into the workspace (mkdtemp would make it 0700).
    assert.equal((await stat(ws.dir)).mode & 0o777, 0o755);
  });

  it("copies a directory tree with its modes", async () => {
    const ws = await Workspace.create("copy");
    created.push(ws);
    await mkdir(ws.path("src", "sub"), { recursive: true, mode: 0o700 });
    await writeFile(ws.path("src", "sub", "f"), "content");
    await copyDirectory(ws.path("src"), ws.path("dst"));
    assert.equal(await readFile(ws.path("dst", "sub", "f"), "utf8"), "content");
    assert.equal((await stat(ws.path("dst", "sub"))).mode & 0o777, 0o700);
  });
});

describe("ProcessSupervisor", function () {
  this.timeout(30_000);
  let ws: Workspace;
  let supervisor: ProcessSupervisor;

  beforeEach(async () => {
    ws = await Workspace.create("supervisor");
    supervisor = new ProcessSupervisor();
  });
  afterEach(async () => {
    await supervisor[Symbol.asyncDispose]();
    await ws.remove();
  });

  it("writes a child's stdout and stderr to its log file", async () => {
    const proc = supervisor.spawn("echo", "sh", ["-c", "echo out; echo err >&2"], {
      logFile: ws.path("echo.log"),
    });
    const exit = await proc.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(proc.running, false);
    assert.equal(await readFile(ws.path("echo.log"), "utf8"), "out\nerr\n");
  });

  it("kills a child and everything it forked when killed", async function () {
    if (process.platform !== "linux") this.skip();
    const proc = supervisor.spawn("forker", "sh", ["-c", "sleep 60 & sleep 60 & wait"], {
      logFile: ws.path("forker.log"),
    });
    await waitFor(async () => processGroupMembers(proc.pid).length === 3, 5000);
    await proc.kill();
    assert.equal(proc.running, false);
    assert.deepEqual(processGroupMembers(proc.pid), []);
    assert.equal((await proc.exited).signal, "SIGKILL");
  });

  it("kills descendants that left the process group, as PostgreSQL backends do", async function () {
    if (process.platform !== "linux") this.skip();
    const proc = supervisor.spawn("escaper", "sh", ["-c", "setsid sleep 60 & wait"], {
      logFile: ws.path("escaper.log"),
    });
    // Until the forked shell has become `sleep`: setsid(1) leaves the group before it execs, and
    // before that the child is still the shell, in the group.
    await waitFor(async () => {
      const [child] = processDescendants(proc.pid);
      return child !== undefined && (await commandOf(child)) === "sleep";
    }, 5000);
    const [escaped] = processDescendants(proc.pid);
    assert.equal(processGroupMembers(proc.pid).includes(escaped!), false);
    await proc.kill();
    assert.equal(processAlive(escaped!), false);
  });

  it("freezes and thaws a child's whole process tree", async function () {
    if (process.platform !== "linux") this.skip();
    const proc = supervisor.spawn("frozen", "sh", ["-c", "setsid sleep 60 & wait"], {
      logFile: ws.path("f.log"),
    });
    await waitFor(async () => processDescendants(proc.pid).length === 1, 5000);
    const [escaped] = processDescendants(proc.pid);
    const state = async (pid: number): Promise<string> => {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    };
    proc.signal("SIGSTOP");
    await waitFor(async () => (await state(escaped!)) === "T" && (await state(proc.pid)) === "T", 2000);
    proc.signal("SIGCONT");
    await waitFor(async () => (await state(escaped!)) !== "T", 2000);
    await proc.kill();
  });

  it("escalates to SIGKILL when a child ignores its stop signal", async () => {
    const proc = supervisor.spawn("stubborn", "sh", ["-c", "trap '' TERM; while true; do sleep 0.05; done"], {
      logFile: ws.path("stubborn.log"),
    });
    await delay(200); // let the shell install its trap
    const started = performance.now();
    await proc.stop(300);
    const took = performance.now() - started;
    assert.equal((await proc.exited).signal, "SIGKILL");
    assert.ok(took >= 250, `stop returned after ${took} ms, before the grace period`);
    assert.equal(processGroupAlive(proc.pid), false);
  });

  it("stops a child gracefully with its own stop signal", async () => {
    const proc = supervisor.spawn(
      "graceful",
      "sh",
      ["-c", "trap 'exit 7' INT; while true; do sleep 0.05; done"],
      {
        logFile: ws.path("graceful.log"),
        stopSignal: "SIGINT",
      },
    );
    await delay(200);
    await proc.stop(5000);
    assert.equal((await proc.exited).code, 7);
  });

  it("leaves no child behind after stopAll", async () => {
    const procs = [1, 2, 3].map((i) =>
      supervisor.spawn(`sleeper-${i}`, "sh", ["-c", "sleep 60 & sleep 60"], {
        logFile: ws.path(`s${i}.log`),
      }),
    );
    await supervisor.stopAll(1000);
    for (const p of procs) {
      assert.equal(p.running, false);
      assert.equal(processGroupAlive(p.pid), false);
    }
  });

  it("runs a child as the unprivileged user when root", async function () {
    if (!isRoot || process.platform !== "linux") this.skip();
    const proc = supervisor.spawn("unprivileged", "sleep", ["60"], {
      logFile: ws.path("u.log"),
      asUnprivileged: true,
    });
    assert.equal(await uidOf(proc.pid), unprivilegedUser()!.uid);
    await proc.kill();
  });

  it("kills its children when the runner calls process.exit()", async function () {
    this.timeout(20_000);
    const processesModule = new URL("../../src/platform/processes.ts", import.meta.url).href;
    const script = ws.path("exiting-runner.mts");
    await writeFile(
      script,
      `import { ProcessSupervisor } from ${JSON.stringify(processesModule)};
       const child = new ProcessSupervisor().spawn("sleeper", "sleep", ["60"], { logFile: ${JSON.stringify(ws.path("sleeper.log"))} });
       console.log(child.pid);
       process.exit(0);`,
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const output = await runCommand(process.execPath, ["--import", tsx, script]);
    const orphan = Number(output.trim());
    assert.ok(orphan > 0, `no pid in ${output}`);
    await waitFor(async () => !processAlive(orphan), 2000);
  });

  it("throws a clear error for a command that does not exist", () => {
    assert.throws(
      () => supervisor.spawn("ghost", "/nonexistent/ghost", [], { logFile: ws.path("ghost.log") }),
      (err: Error) => err instanceof ProcessSpawnError && /ghost/.test(err.message),
    );
  });

  it("refuses to spawn after disposal", async () => {
    await supervisor[Symbol.asyncDispose]();
    assert.throws(
      () => supervisor.spawn("late", "true", [], { logFile: ws.path("late.log") }),
      ProcessSpawnError,
    );
  });
});

describe("runCommand", () => {
  it("returns a command's output", async () => {
    assert.equal(await runCommand("sh", ["-c", "echo hello"]), "hello\n");
  });

  it("reports the output of a failing command", async () => {
    await assert.rejects(runCommand("sh", ["-c", "echo broken >&2; exit 3"]), (err: Error) => {
      assert.equal(err.name, "CommandFailedError");
      assert.match(err.message, /exit code 3.*broken/s);
      return true;
    });
  });
});
