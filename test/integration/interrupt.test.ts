// Ctrl-C and SIGTERM in the middle of a drill must leave nothing behind: no PostgreSQL, app, proxy or
// DNS process and no workspace.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { access, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, "utf8")).replaceAll("\0", " ");
      if (cmdline.includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    return Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
  } catch {
    return undefined;
  }
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  describe(`${signal} in the middle of a drill (integration)`, function () {
    this.timeout(120_000);
    let out: string;
    before(async () => {
      out = await mkdtemp(path.join(os.tmpdir(), "drill-interrupt-"));
    });
    after(async () => {
      await rm(out, { recursive: true, force: true });
    });

    it(`stops every process, heals the fault and removes the workspace on ${signal}`, async () => {
      const child = spawn(
        process.execPath,
        ["bin/failover-drill.js", "run", "drills/region-outage.yaml", "--out", out],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      // Interrupt once the fault is in place: the hardest moment to clean up after.
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes("fault injected")) resolve();
        });
        void exited.then(() => reject(new Error(`drill exited early:\n${stdout}\n${stderr}`)));
      });
      const workspace = /workspace (\S+)\)/.exec(stdout)?.[1];
      assert.ok(workspace, stdout);
      // Only this drill's apps: other drills may be running on the machine at the same time.
      const appPids: number[] = [];
      for (const pid of await processesMentioning("fixtures/app/server.")) {
        if ((await parentOf(pid)) === child.pid) appPids.push(pid);
      }
      assert.ok(appPids.length > 0, "apps should be running before the signal");

      child.kill(signal);
      const code = await exited;
      assert.equal(code, 130, stderr);
      await assert.rejects(access(workspace), "workspace removed");
      assert.deepEqual(await processesMentioning(workspace), [], "no postgres left");
      const leftApps = (await processesMentioning("fixtures/app/server.")).filter((p) => appPids.includes(p));
      assert.deepEqual(leftApps, [], "no app left");
      const history = await readFile(
        path.join(
          out,
          "region-outage",
          (await readdir(path.join(out, "region-outage")))[0]!,
          "history.jsonl",
        ),
        "utf8",
      );
      assert.match(history, /"fault-heal"/, "the fault was healed");
      const up = history
        .split("\n")
        .map((l) => (l === "" ? undefined : (JSON.parse(l) as { f: string; value: unknown })))
        .find((o) => o?.f === "topology-up")?.value as {
        servicePort: number;
        regions: { address: string }[];
      };
      for (const r of up.regions) {
        assert.ok(
          await refused(r.address, up.servicePort),
          `nothing listens on ${r.address}:${up.servicePort}`,
        );
      }
    });
  });
}
