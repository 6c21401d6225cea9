// BIND 9 as the drill's DNS provider next to the embedded server: the same answers to the drill's
// queries, every change an RFC 2136 update in BIND's log, and nothing left running after close.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { bind9Dns, NAMED_LOG } from "../../src/dns/bind9/index.ts";
import { bindUpdateLines } from "../../src/dns/bind9/log.ts";
import { embeddedDns } from "../../src/dns/embedded.ts";
import type { DnsEndpoint, DnsProvider } from "../../src/dns/provider.ts";
import { replaceA } from "../../src/dns/update.ts";
import { sendUpdate } from "../../src/dns/update-client.ts";
import {
  Rcode,
  RecordClass,
  RecordType,
  decode,
  decodeIPv4,
  encode,
  message,
  normalizeName,
  type DnsMessage,
} from "../../src/dns/wire.ts";

/** One query over UDP, the decoded reply. */
async function ask(server: DnsEndpoint, name: string): Promise<DnsMessage> {
  const socket = createSocket("udp4");
  try {
    return await new Promise<DnsMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply for ${name}`)), 2000);
      socket.once("message", (reply) => {
        clearTimeout(timer);
        resolve(decode(reply));
      });
      socket.send(
        encode(
          message({ header: { id: 77 }, questions: [{ name, type: RecordType.A, class: RecordClass.IN }] }),
        ),
        server.port,
        server.host,
      );
    });
  } finally {
    socket.close();
  }
}

/**
 * What a resolver reads from a reply: rcode, AA, and the A answers (name, TTL, address). Names are
 * compared as resolvers do, without case: BIND answers with the case it stores, ours with the case asked.
 */
const essentials = (m: DnsMessage) => ({
  rcode: m.header.rcode,
  aa: m.header.aa,
  answers: m.answers
    .filter((rr) => rr.type === RecordType.A)
    .map((rr) => ({ name: normalizeName(rr.name), ttl: rr.ttl, address: decodeIPv4(rr.data) })),
});

/** Live processes whose command line mentions `text`. */
async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir("/proc")).filter((n) => /^\d+$/.test(n))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) found.push(Number(pid));
  }
  return found;
}

describe("BIND 9 as the DNS provider (integration)", function () {
  this.timeout(60_000);
  let dir: string;
  let bind: DnsProvider;
  let embedded: DnsProvider;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bind9-test-"));
    await chmod(dir, 0o755); // named runs as the unprivileged user and must reach its directory
    [bind, embedded] = await Promise.all([
      bind9Dns.start({ host: "127.0.0.1", zone: "drill.test", dir: path.join(dir, "bind9") }),
      embeddedDns.start({ host: "127.0.0.1", zone: "drill.test" }),
    ]);
  });
  after(async () => {
    await bind?.close();
    await embedded?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers the drill's queries as the embedded server does: address, TTL, AA, NXDOMAIN", async () => {
    for (const provider of [bind, embedded]) await provider.setRecord("api.drill.test", "127.0.2.1", 5000);
    for (const name of ["api.drill.test", "API.Drill.Test", "missing.drill.test"]) {
      const [fromBind, fromEmbedded] = await Promise.all([
        ask(bind.endpoint, name),
        ask(embedded.endpoint, name),
      ]);
      assert.deepEqual(essentials(fromBind), essentials(fromEmbedded), name);
    }
    assert.deepEqual(essentials(await ask(bind.endpoint, "missing.drill.test")), {
      rcode: Rcode.NXDOMAIN,
      aa: true,
      answers: [],
    });
  });

  it("refuses a name outside its zone where the embedded server, which has no zone, says NXDOMAIN", async () => {
    assert.equal((await ask(bind.endpoint, "api.elsewhere.test")).header.rcode, Rcode.REFUSED);
    assert.equal((await ask(embedded.endpoint, "api.elsewhere.test")).header.rcode, Rcode.NXDOMAIN);
  });

  it("logs each change as an update signed with the run's key, and the unsigned one it denied", async () => {
    await bind.setRecord("logged.drill.test", "127.0.3.1", 2000);
    await sendUpdate(bind.update!.endpoint, {
      zone: "drill.test",
      changes: replaceA("logged.drill.test", "127.0.9.9", 2),
    }).catch(() => undefined);
    const lines = bindUpdateLines(await readFile(path.join(dir, "bind9", NAMED_LOG), "utf8"));
    const added = lines.find((l) => l.action === "add" && l.name === "logged.drill.test");
    assert.deepEqual(added && { key: added.key, zone: added.zone, type: added.type, data: added.data }, {
      key: bind.update!.keyName,
      zone: "drill.test",
      type: "A",
      data: "127.0.3.1",
    });
    assert.ok(lines.some((l) => l.action === "denied" && l.key === undefined));
    assert.ok(!lines.some((l) => l.data === "127.0.9.9"), "the unsigned change was not applied");
  });

  it("refuses to start on a loopback address no interface has, saying how to add it", async () => {
    await assert.rejects(
      bind9Dns.start({ host: "127.0.9.1" }),
      /127\.0\.9\.1 is on none: use 127\.0\.0\.1, or add it first \(as root: ip addr add 127\.0\.9\.1\/8 dev lo\)/,
    );
  });

  it("leaves no named process behind once closed", async () => {
    const own = path.join(dir, "closing");
    const provider = await bind9Dns.start({ host: "127.0.0.1", dir: own });
    assert.equal((await processesMentioning(own)).length, 1, "one named runs for it");
    await provider.close();
    assert.deepEqual(await processesMentioning(own), []);
  });

  it("stops a drill whose named will not start at once, exit 4 with named's log, nothing left running", async () => {
    // A named that fails as a broken configuration would; the real unbound beside it.
    const fake = path.join(dir, "fake-bin");
    await mkdir(fake);
    await writeFile(
      path.join(fake, "named"),
      "#!/bin/sh\necho 'named: refusing to start (test)' >&2\nexit 1\n",
      {
        mode: 0o755,
      },
    );
    await symlink("/usr/sbin/unbound", path.join(fake, "unbound"));
    const child = spawn(
      process.execPath,
      ["bin/failover-drill.js", "run", "drills/bind9-unbound.yaml", "--out", path.join(dir, "reports")],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FAILOVER_DRILL_PATH: fake } },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    clearTimeout(killer);
    assert.equal(code, 4, stderr);
    assert.match(
      stderr,
      /named exited during start; end of its log .*named\.log:\nnamed: refusing to start \(test\)/,
    );
    assert.deepEqual(await processesMentioning("failover-drill-bind9-unbound-"), []);
  });
});
