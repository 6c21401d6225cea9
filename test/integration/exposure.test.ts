// Issue 13, item 7 on a real run: every socket the drill's processes listen on (the runner's proxy
// API, proxies and DNS server, PostgreSQL, the apps) is in 127.0.0.0/8, and no file the run writes
// contains the app.env secret or the connection password the drill file holds.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const SECRET = "drill-secret-Qv93kT";
const PASSWORD = "pw-Zr48xLm";

const DRILL = `name: exposure
description: "reaches postgres://ops:${PASSWORD}@db.example/app in production"
platform: local
app:
  env:
    API_TOKEN: ${SECRET}
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
database: { engine: postgres, replication: async }
controller:
  mode: dns
  healthCheck: { interval: 500ms, timeout: 400ms, failureThreshold: 3 }
dns: { name: api.drill.test, ttl: 1s }
workload: { clients: 4, rate: 50/s, duration: 8s, requestTimeout: 1s }
faults:
  - { at: 3s, type: region-outage, region: us-east }
recovery: { wait: 1s }
`;

/** Every process below `root`, root included, from /proc's parent links. */
async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = /\) \S+ (\d+)/.exec(stat)?.[1];
    if (ppid !== undefined) parents.set(Number(entry), Number(ppid));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

async function socketInodes(pids: number[]): Promise<Map<string, number>> {
  const inodes = new Map<string, number>();
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined) inodes.set(inode, pid);
    }
  }
  return inodes;
}

/** /proc/net's hex address as text: 0100007F:1F90 -> 127.0.0.1:8080; ::1, ::ffff:127.0.0.1 for v6. */
function procAddress(hex: string): string {
  const [ip = "", port = ""] = hex.split(":");
  const bytes = (ip.match(/../g) ?? []).map((b) => parseInt(b, 16));
  // Each 32-bit word is in host (little-endian) order.
  const ordered = bytes.flatMap((_, i) => (i % 4 === 0 ? bytes.slice(i, i + 4).reverse() : []));
  let text: string;
  if (ordered.length === 4) text = ordered.join(".");
  else if (ordered.slice(0, 10).every((b) => b === 0) && ordered[10] === 0xff && ordered[11] === 0xff) {
    text = `::ffff:${ordered.slice(12).join(".")}`;
  } else if (ordered.slice(0, 15).every((b) => b === 0)) text = ordered[15] === 1 ? "::1" : "::";
  else text = (ip.match(/.{8}/g) ?? []).join("-");
  return `${text}:${parseInt(port, 16)}`;
}

/** TCP sockets in LISTEN (state 0A) and bound UDP sockets of the given inodes, as "proto address". */
async function listening(inodes: Map<string, number>): Promise<string[]> {
  const found: string[] = [];
  for (const proto of ["tcp", "tcp6", "udp", "udp6"]) {
    const table = await readFile(`/proc/net/${proto}`, "utf8").catch(() => "");
    for (const line of table.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9]!)) continue;
      // A listening TCP socket, or a UDP socket with no fixed peer (it takes datagrams from anyone).
      const listens = proto.startsWith("tcp") ? cols[3] === "0A" : /^0+:0000$/.test(cols[2]!);
      if (listens) found.push(`${proto} ${procAddress(cols[1]!)} (pid ${inodes.get(cols[9]!)})`);
    }
  }
  return found;
}

const isLoopback = (entry: string): boolean => /^\S+ (127\.|::ffff:127\.|::1:)/.test(entry);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else out.push(full);
  }
  return out;
}

describe("a real run's exposure", function () {
  this.timeout(240_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "exposure-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("listens only on 127.0.0.0/8 and writes neither the app.env secret nor the password anywhere", async () => {
    const file = path.join(dir, "exposure.yaml");
    await writeFile(file, DRILL);
    const out = path.join(dir, "reports");
    const child = spawn(process.execPath, ["bin/failover-drill.js", "run", file, "--out", out], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const sockets = new Set<string>();
    let done = false;
    void exited.then(() => (done = true));
    try {
      // Sample the process tree's sockets while the drill runs (setup, outage, recovery).
      while (!done) {
        for (const s of await listening(await socketInodes(await processTree(child.pid!)))) sockets.add(s);
        await new Promise((r) => setTimeout(r, 700));
      }
    } finally {
      if (!done) child.kill("SIGTERM");
    }
    const code = await exited;
    assert.ok(code === 0 || code === 1, `exit ${code}\n${output}`);
    const all = [...sockets];
    // The proxy API, a proxy per link, two databases, two apps: far more than five.
    assert.ok(
      all.filter((s) => s.startsWith("tcp")).length >= 5,
      `too few listening sockets seen: ${all.join(", ")}`,
    );
    if (process.env["EXPOSURE_DEBUG"]) console.log(all.join("\n"));
    const exposed = all.filter((s) => !isLoopback(s));
    assert.deepEqual(exposed, [], `listening beyond loopback:\n${exposed.join("\n")}`);

    const files = await filesUnder(out);
    assert.ok(files.some((f) => f.endsWith("report.json")));
    for (const f of files) {
      const text = await readFile(f, "utf8");
      assert.ok(!text.includes(SECRET), `${f} contains the app.env secret`);
      assert.ok(!text.includes(PASSWORD), `${f} contains the connection password`);
    }
    assert.ok(!output.includes(SECRET) && !output.includes(PASSWORD), "the console output repeats a secret");
  });
});
