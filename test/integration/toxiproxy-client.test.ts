import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Toxiproxy, ToxiproxyError, type Latency } from "toxiproxy-node-client";
import { freePort } from "../../src/platform/ports.ts";
import {
  ProxyControl,
  ProxyControlError,
  startToxiproxy,
  ToxiproxyUnavailableError,
} from "../../src/toxiproxy/client.ts";
import { ToxiproxyServer } from "../../src/toxiproxy/server.ts";
import { portOf, Session } from "../conformance/harness.ts";

async function serverView(url: string, name: string): Promise<{ enabled: boolean; toxics: unknown[] }> {
  const res = await fetch(`${url}/proxies/${encodeURIComponent(name)}`);
  assert.equal(res.status, 200);
  return (await res.json()) as { enabled: boolean; toxics: unknown[] };
}

describe("Toxiproxy client wrapper (integration)", function () {
  this.timeout(30_000);
  let server: ToxiproxyServer;
  /** Tracks the echo upstream and the probe sockets, so afterEach closes them. */
  let s: Session;
  let echoPort: number;

  beforeEach(async () => {
    server = await ToxiproxyServer.start();
    s = new Session(server.url);
    echoPort = (await s.echo()).port;
  });

  afterEach(async () => {
    await server.close();
    await s.close();
  });

  /** Connects, sends one byte and waits for the echo; returns the round trip or the connect error code. */
  function echoRoundTrip(port: number): Promise<{ ms: number } | { code: string }> {
    return new Promise((resolve) => {
      const socket = s.track(net.connect({ host: "127.0.0.1", port, noDelay: true }));
      let started = 0;
      socket.once("connect", () => {
        started = performance.now();
        socket.write("x");
      });
      socket.once("data", () => {
        resolve({ ms: performance.now() - started });
        socket.destroy();
      });
      socket.once("error", (err: NodeJS.ErrnoException) => resolve({ code: err.code ?? err.message }));
      socket.once("close", () => resolve({ code: "closed" }));
    });
  }

  it("lets toxiproxy-node-client's Toxiproxy class drive the embedded server unchanged", async () => {
    const toxiproxy = new Toxiproxy(server.url);
    assert.match(await toxiproxy.getVersion(), /"version"/);

    const proxy = await toxiproxy.createProxy({
      name: "db",
      listen: "localhost:0",
      upstream: `127.0.0.1:${echoPort}`,
    });
    assert.equal(proxy.enabled, true);
    assert.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
    const port = portOf(proxy.listen);
    assert.deepEqual(Object.keys(await toxiproxy.getAll()), ["db"]);
    assert.equal((await toxiproxy.get("db")).upstream, `127.0.0.1:${echoPort}`);

    const toxic = await proxy.addToxic<Latency>({
      name: "lag",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 150, jitter: 0 },
    });
    assert.deepEqual(toxic.toJson(), {
      name: "lag",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 150, jitter: 0 },
    });
    const slow = await echoRoundTrip(port);
    assert.ok("ms" in slow && slow.ms >= 145, JSON.stringify(slow));

    const updated = await toxic.update({ ...toxic.toJson(), attributes: { latency: 60, jitter: 0 } });
    assert.deepEqual(updated.attributes, { latency: 60, jitter: 0 });
    assert.deepEqual((await proxy.getToxic<Latency>("lag")).attributes, { latency: 60, jitter: 0 });
    await updated.remove();
    await assert.rejects(proxy.getToxic("lag"), ToxiproxyError);

    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    assert.equal(disabled.enabled, false);
    assert.deepEqual(await echoRoundTrip(port), { code: "ECONNREFUSED" });
    const enabled = await disabled.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    assert.equal(enabled.listen, proxy.listen);
    assert.ok("ms" in (await echoRoundTrip(port)));

    const populated = await toxiproxy.populate([
      { name: "db", listen: proxy.listen, upstream: proxy.upstream },
      { name: "cache", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echoPort}` },
    ]);
    assert.deepEqual(Object.keys(populated).sort(), ["cache", "db"]);

    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await toxiproxy.reset();
    assert.equal((await toxiproxy.get("db")).enabled, true);

    await proxy.remove();
    await assert.rejects(toxiproxy.get("db"), /404/);
  });

  describe("ProxyControl", () => {
    let control: ProxyControl;
    beforeEach(() => {
      control = new ProxyControl(`${server.url}/`);
    });

    it("creates a proxy and reports the address it listens on", async () => {
      const created = await control.createProxy({
        name: "primary.db",
        listen: "127.0.0.1:0",
        upstream: `127.0.0.1:${echoPort}`,
      });
      assert.equal(created.name, "primary.db");
      assert.ok(portOf(created.listen) > 0);
      assert.ok("ms" in (await echoRoundTrip(portOf(created.listen))));
      await assert.rejects(
        control.createProxy({ name: "primary.db", listen: "127.0.0.1:0", upstream: "127.0.0.1:1" }),
        (err: unknown) => err instanceof ProxyControlError && err.status === 409,
      );
    });

    it("keeps a proxy disabled until every reason holding it is released", async () => {
      const { listen } = await control.createProxy({
        name: "db",
        listen: "127.0.0.1:0",
        upstream: `127.0.0.1:${echoPort}`,
      });
      await control.disable("db", "fault");
      await control.disable("db", "fence");
      assert.equal(control.isEnabled("db"), false);

      await control.enable("db", "fault");
      assert.equal(control.isEnabled("db"), false, "the fence still holds it");
      assert.equal((await serverView(server.url, "db")).enabled, false);
      assert.deepEqual(await echoRoundTrip(portOf(listen)), { code: "ECONNREFUSED" });

      await control.enable("db", "fence");
      assert.equal(control.isEnabled("db"), true);
      assert.equal((await serverView(server.url, "db")).enabled, true);
      assert.ok("ms" in (await echoRoundTrip(portOf(listen))), "listening again on the same port");
    });

    it("applies concurrent disable and enable calls on one proxy in order", async () => {
      await control.createProxy({ name: "db", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echoPort}` });
      await Promise.all([
        control.disable("db", "fault"),
        control.disable("db", "fence"),
        control.enable("db", "fault"),
        control.enable("db", "unrelated"),
      ]);
      assert.equal(control.isEnabled("db"), false);
      assert.equal((await serverView(server.url, "db")).enabled, false);
      await Promise.all([control.enable("db", "fence"), control.enable("db", "fence")]);
      assert.equal((await serverView(server.url, "db")).enabled, true);
    });

    it("forgets a reason whose disable request failed", async () => {
      await assert.rejects(
        control.disable("missing", "fault"),
        (err: unknown) =>
          err instanceof ProxyControlError && err.status === 404 && /missing/.test(err.message),
      );
      assert.equal(control.isEnabled("missing"), true);
    });

    it("adds, updates and removes latency toxics, and removing twice is harmless", async () => {
      const { listen } = await control.createProxy({
        name: "db",
        listen: "127.0.0.1:0",
        upstream: `127.0.0.1:${echoPort}`,
      });
      await control.addLatency("db", { toxic: "lag", latencyMs: 300, jitterMs: 0, stream: "upstream" });
      await control.addLatency("db", { toxic: "lag", latencyMs: 120.4, jitterMs: 0, stream: "upstream" });
      const toxics = (await serverView(server.url, "db")).toxics;
      assert.deepEqual(toxics, [
        {
          name: "lag",
          type: "latency",
          stream: "upstream",
          toxicity: 1,
          attributes: { latency: 120, jitter: 0 },
        },
      ]);
      const rtt = await echoRoundTrip(portOf(listen));
      assert.ok("ms" in rtt && rtt.ms >= 115 && rtt.ms < 290, JSON.stringify(rtt));
      assert.deepEqual(await control.list(), [
        { name: "db", listen, upstream: `127.0.0.1:${echoPort}`, enabled: true, toxics: ["lag"] },
      ]);
      await control.removeToxic("db", "lag");
      await control.removeToxic("db", "lag");
      assert.deepEqual((await serverView(server.url, "db")).toxics, []);
    });

    it("deletes only the proxies it created", async () => {
      await new Toxiproxy(server.url).createProxy({
        name: "someone-else",
        listen: "127.0.0.1:0",
        upstream: `127.0.0.1:${echoPort}`,
      });
      await control.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echoPort}` });
      await control.createProxy({ name: "b", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echoPort}` });
      await control.disable("b", "fault");
      await control.deleteAll();
      assert.deepEqual(
        (await control.list()).map((p) => p.name),
        ["someone-else"],
      );
      assert.equal(control.isEnabled("b"), true);
      await control.deleteAll();
    });
  });

  describe("startToxiproxy", () => {
    const savedEnv = { PATH: process.env["PATH"], TOXIPROXY_URL: process.env["TOXIPROXY_URL"] };
    let tempDir: string | undefined;

    afterEach(async () => {
      for (const [key, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
      tempDir = undefined;
    });

    async function emptyPath(): Promise<string> {
      tempDir = await mkdtemp(path.join(tmpdir(), "toxiproxy-client-test-"));
      process.env["PATH"] = tempDir;
      delete process.env["TOXIPROXY_URL"];
      return tempDir;
    }

    it("starts the embedded server when no URL is given and no binary is on PATH", async () => {
      await emptyPath();
      const target = await startToxiproxy();
      try {
        assert.equal(target.kind, "embedded");
        assert.equal((await fetch(`${target.url}/version`)).status, 200);
      } finally {
        await target.close();
      }
      await assert.rejects(fetch(`${target.url}/version`));
    });

    it("uses the server named by opts.url or TOXIPROXY_URL and leaves it running on close", async () => {
      await emptyPath();
      const fromOption = await startToxiproxy({ url: `${server.url}/` });
      assert.deepEqual([fromOption.kind, fromOption.url], ["external", server.url]);
      await fromOption.close();
      process.env["TOXIPROXY_URL"] = server.url;
      const fromEnv = await startToxiproxy();
      assert.deepEqual([fromEnv.kind, fromEnv.url], ["external", server.url]);
      await fromEnv.close();
      assert.equal((await fetch(`${server.url}/version`)).status, 200);
    });

    it("fails clearly when the external server does not answer", async function () {
      this.timeout(20_000);
      const deadPort = await freePort("127.0.0.1");
      await assert.rejects(
        startToxiproxy({ url: `http://127.0.0.1:${deadPort}` }),
        ToxiproxyUnavailableError,
      );
    });

    it("spawns toxiproxy-server from PATH on a free loopback port and stops it on close", async function () {
      this.timeout(60_000);
      const dir = await emptyPath();
      // A stand-in for the Go binary that takes the same flags: our server in its own process.
      const serverModule = pathToFileURL(
        path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/toxiproxy/server.ts"),
      ).href;
      const stub = path.join(dir, "stub-server.mts");
      await writeFile(
        stub,
        [
          `import { ToxiproxyServer } from ${JSON.stringify(serverModule)};`,
          `const flag = (name: string) => process.argv[process.argv.indexOf(name) + 1];`,
          `const server = await ToxiproxyServer.start({ host: flag("-host"), port: Number(flag("-port")) });`,
          `process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));`,
        ].join("\n"),
      );
      const binary = path.join(dir, "toxiproxy-server");
      await writeFile(
        binary,
        `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href)} ${JSON.stringify(stub)} "$@"\n`,
      );
      await chmod(binary, 0o755);

      const target = await startToxiproxy();
      try {
        assert.equal(target.kind, "binary");
        assert.match(target.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const control = new ProxyControl(target.url);
        const { listen } = await control.createProxy({
          name: "db",
          listen: "127.0.0.1:0",
          upstream: `127.0.0.1:${echoPort}`,
        });
        assert.ok("ms" in (await echoRoundTrip(portOf(listen))));
        await control.deleteAll();
      } finally {
        await target.close();
      }
      await assert.rejects(fetch(`${target.url}/version`));
    });
  });
});
