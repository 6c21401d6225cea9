// The embedded server beyond what the conformance suite (test/conformance) checks against any
// Toxiproxy: its own choices (loopback default, body limit), Go's JSON decoding quirks, toxic
// internals as pure functions, toxics on live connections, shutdown, the standalone command and a
// printed performance figure. Real sockets and processes only; everything is closed in afterEach.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { nearestRank } from "../../src/checkers/availability.ts";
import { main } from "../../src/cli/main.ts";
import { float32Field, stringField } from "../../src/toxiproxy/json.ts";
import { MAX_BODY_BYTES, ToxiproxyServer } from "../../src/toxiproxy/server.ts";
import { parseToxicAttributes } from "../../src/toxiproxy/toxics/attributes.ts";
import { bandwidthSchedule } from "../../src/toxiproxy/toxics/bandwidth.ts";
import { toxicKind, toxicTypes } from "../../src/toxiproxy/toxics/registry.ts";
import { sliceOffsets } from "../../src/toxiproxy/toxics/slicer.ts";
import { portOf, Reader, roundTrip, Session, sleep, waitFor } from "../conformance/harness.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("toxic internals (unit)", () => {
  it("registers every Toxiproxy 2.12 toxic type", () => {
    assert.deepEqual(toxicTypes(), [
      "bandwidth",
      "latency",
      "limit_data",
      "noop",
      "reset_peer",
      "slicer",
      "slow_close",
      "timeout",
    ]);
  });

  it("cuts a slicer chunk into contiguous non-empty pieces no larger than average + variation", () => {
    let seed = 1;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const cuts = sliceOffsets(1_000, 100, 20, random);
    assert.equal(cuts[0], 0);
    assert.equal(cuts[cuts.length - 1], 1_000);
    const sizes = cuts.slice(1).map((cut, i) => cut - cuts[i]!);
    assert.ok(
      sizes.every((size) => size > 0 && size <= 120),
      sizes.join(","),
    );
    assert.ok(sizes.length >= 8 && sizes.length <= 20, `${sizes.length} pieces`);
    // A chunk already small enough is one piece; no variation splits exactly in halves.
    assert.deepEqual(sliceOffsets(90, 100, 20), [0, 90]);
    assert.deepEqual(sliceOffsets(400, 100, 0), [0, 100, 200, 300, 400]);
    assert.deepEqual(sliceOffsets(0, 100, 0), [0]);
  });

  it("paces a bandwidth chunk in 100 ms slices, then the rest at rate bytes per ms", () => {
    assert.deepEqual(bandwidthSchedule(500, 10, 1_000), [{ offset: 0, end: 500, due: 1_050 }]);
    assert.deepEqual(bandwidthSchedule(2_500, 10, 0), [
      { offset: 0, end: 1_000, due: 100 },
      { offset: 1_000, end: 2_000, due: 200 },
      { offset: 2_000, end: 2_500, due: 250 },
    ]);
  });

  it("merges attribute patches like Go: integers only, null keeps, any case of key matches", () => {
    const latency = toxicKind("latency")!;
    const base = parseToxicAttributes(latency, { latency: 100, jitter: 10 }, undefined);
    assert.deepEqual(base, { latency: 100, jitter: 10 });
    assert.deepEqual(parseToxicAttributes(latency, { Latency: 5, jitter: null, other: "x" }, base), {
      latency: 5,
      jitter: 10,
    });
    // Go takes negative values (they act as 0); 2.12 has no range checks for latency.
    assert.deepEqual(parseToxicAttributes(latency, { latency: -5 }, undefined), { latency: -5, jitter: 0 });
    for (const bad of [{ latency: 1.5 }, { latency: "5" }, { latency: true }, [], "x", 5]) {
      assert.throws(
        () => parseToxicAttributes(latency, bad, base),
        /bad request body: json: cannot unmarshal/,
      );
    }
  });

  it("rejects slicer sizes that make Toxiproxy 2.12 recurse forever, as 2.13 does", () => {
    const slicer = toxicKind("slicer")!;
    assert.throws(() => parseToxicAttributes(slicer, { average_size: 0 }, undefined), /average_size/);
    assert.throws(
      () => parseToxicAttributes(slicer, { average_size: 10, size_variation: 11 }, undefined),
      /size_variation/,
    );
    assert.deepEqual(parseToxicAttributes(slicer, { average_size: 10, size_variation: 10 }, undefined), {
      average_size: 10,
      size_variation: 10,
      delay: 0,
    });
  });

  it("reads fields like Go's decoder: null is unset, the last key in any case wins, toxicity is a float32", () => {
    assert.equal(stringField({ name: null }, "name", "Proxy"), undefined);
    assert.equal(stringField({ name: "a", NAME: "b" }, "name", "Proxy"), "b");
    assert.throws(
      () => stringField({ name: 5 }, "name", "Proxy"),
      /cannot unmarshal number into Go struct field/,
    );
    assert.equal(float32Field({ toxicity: 0.1 }, "toxicity", "T"), 0.1);
    assert.equal(float32Field({ toxicity: 2 }, "toxicity", "T"), 2);
    assert.throws(() => float32Field({ toxicity: 1e40 }, "toxicity", "T"), /float32/);
  });
});

describe("embedded Toxiproxy server (integration)", function () {
  this.timeout(30_000);
  let server: ToxiproxyServer;
  let s: Session;
  let echo: { port: number; accepted: net.Socket[] };

  beforeEach(async () => {
    server = await ToxiproxyServer.start();
    s = new Session(server.url);
    echo = await s.echo();
  });

  afterEach(async () => {
    await s.close();
    await server.close();
  });

  describe("HTTP API", () => {
    it("defaults listen to 127.0.0.1:0, so a proxy never listens beyond loopback by accident", async () => {
      const enabled = await s.api("POST", "/proxies", { name: "a", upstream: `127.0.0.1:${echo.port}` });
      assert.match((enabled.body as { listen: string }).listen, /^127\.0\.0\.1:[1-9]\d*$/);
      const blank = await s.api("POST", "/proxies", { name: "b", listen: "", upstream: "127.0.0.1:1" });
      assert.match((blank.body as { listen: string }).listen, /^127\.0\.0\.1:[1-9]\d*$/);
      const disabled = await s.api("POST", "/proxies", {
        name: "c",
        upstream: "127.0.0.1:1",
        enabled: false,
      });
      assert.equal((disabled.body as { listen: string }).listen, "127.0.0.1:0");
    });

    it("decodes bodies as Go does: any key case, null keeps the default, unknown fields ignored", async () => {
      const reply = await s.api("POST", "/proxies", {
        NAME: "db",
        Upstream: `127.0.0.1:${echo.port}`,
        enabled: null,
        listen: null,
        color: "blue",
      });
      assert.equal(reply.status, 201, reply.text);
      assert.deepEqual(
        { ...(reply.body as object), listen: "x" },
        {
          name: "db",
          listen: "x",
          upstream: `127.0.0.1:${echo.port}`,
          enabled: true,
          Logger: {},
          toxics: [],
        },
      );
      const toxic = await s.api("POST", "/proxies/db/toxics", {
        Type: "latency",
        stream: null,
        toxicity: null,
      });
      assert.equal(toxic.status, 200, toxic.text);
      assert.deepEqual(toxic.body, {
        attributes: { latency: 0, jitter: 0 },
        name: "latency_downstream",
        type: "latency",
        stream: "downstream",
        toxicity: 1,
      });
    });

    it("echoes a stream as the client wrote it and names the toxic after it, as Toxiproxy does", async () => {
      await s.api("POST", "/proxies", { name: "db", upstream: `127.0.0.1:${echo.port}` });
      const reply = await s.api("POST", "/proxies/db/toxics", { type: "latency", stream: "UpStream" });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(
        [(reply.body as { name: string }).name, (reply.body as { stream: string }).stream],
        ["latency_UpStream", "UpStream"],
      );
      const list = (await s.api("GET", "/proxies/db/toxics")).body as Array<{ name: string }>;
      assert.deepEqual(
        list.map((t) => t.name),
        ["latency_UpStream"],
        "listed with the upstream toxics",
      );
    });

    it("accepts any toxicity as Toxiproxy does (above 1 always applies, below 0 never)", async () => {
      const { name, port } = await s.proxy("odd", echo.port);
      await s.toxic(name, { name: "always", type: "latency", toxicity: 2, attributes: { latency: 150 } });
      await s.toxic(name, { name: "never", type: "latency", toxicity: -1, attributes: { latency: 5_000 } });
      const rtt = await roundTrip(await s.reader(port), "x");
      assert.ok(rtt >= 148 && rtt < 2_000, `round trip ${rtt.toFixed(0)} ms`);
    });

    it("answers a body over the limit with 400 after reading it, and keeps serving", async () => {
      const reply = await s.api("POST", "/proxies", undefined, { raw: " ".repeat(MAX_BODY_BYTES + 1) });
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.body, { error: "bad request body: http: request body too large", status: 400 });
      assert.equal((await s.api("GET", "/proxies/%E0%A4%A")).status, 400);
      assert.equal((await s.api("GET", "/version")).status, 200);
    });

    it("stamps every answer with an X-Toxiproxy-Request-Id, as Toxiproxy does", async () => {
      for (const path of ["/version", "/proxies/nope", "/nowhere"]) {
        const reply = await s.api("GET", path);
        assert.match(reply.headers.get("x-toxiproxy-request-id") ?? "", /^[0-9a-f]{20}$/, path);
      }
    });

    it("answers a populate failure with the error and the proxies field, as Toxiproxy does", async () => {
      const invalid = await s.api("POST", "/populate", [{ name: "" }]);
      assert.deepEqual(invalid.body, {
        error: "missing required field: name at proxy 1",
        status: 400,
        proxies: null,
      });
      const empty = await s.api("POST", "/populate", []);
      assert.deepEqual([empty.status, empty.body], [201, { proxies: [] }]);
    });
  });

  describe("data path", () => {
    it("applies a toxic added while a connection is open, and lifts it when removed", async () => {
      const { name, port } = await s.proxy("live", echo.port);
      const reader = await s.reader(port);
      assert.ok((await roundTrip(reader, "a")) < 100);
      await s.toxic(name, { name: "late", type: "latency", attributes: { latency: 200 } });
      const slowed = await roundTrip(reader, "b");
      assert.ok(slowed >= 195, `round trip ${slowed.toFixed(1)} ms`);
      await s.removeToxic(name, "late");
      const healed = await roundTrip(reader, "c");
      assert.ok(healed < 150, `round trip ${healed.toFixed(1)} ms after removal`);
    });

    it("lowers the delay of data already held when a latency toxic is updated", async () => {
      const { name, port } = await s.proxy("upd", echo.port);
      await s.toxic(name, {
        name: "lag",
        type: "latency",
        stream: "upstream",
        attributes: { latency: 3_000 },
      });
      const reader = await s.reader(port);
      const started = performance.now();
      reader.socket.write("held");
      await sleep(50);
      await s.api("PATCH", `/proxies/${name}/toxics/lag`, { attributes: { latency: 100 } });
      await reader.read(4);
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 98 && elapsed < 1_000, `delivered after ${elapsed.toFixed(0)} ms`);
    });

    it("delivers data a latency toxic holds ahead of a client's close, then closes both sides", async () => {
      const { port: upstreamPort, readers } = await s.recorder({ allowHalfOpen: true });
      const { name, port } = await s.proxy("fin", upstreamPort);
      await s.toxic(name, { type: "latency", stream: "upstream", attributes: { latency: 100 } });
      const client = new Reader(await s.connect(port));
      client.socket.end("last words");
      await waitFor(() => readers.length === 1, "the upstream connection");
      const upstream = readers[0]!;
      await upstream.until(() => upstream.ended, "the upstream to see the close");
      assert.equal(upstream.peek().toString(), "last words");
      await client.until(() => client.ended || client.closed, "the client side to close");
    });

    it("keeps counting limit_data across an update of the toxic", async () => {
      const { port: upstreamPort, readers } = await s.recorder();
      const { name, port } = await s.proxy("limit", upstreamPort);
      await s.toxic(name, {
        name: "cap",
        type: "limit_data",
        stream: "upstream",
        attributes: { bytes: 100 },
      });
      const client = await s.connect(port);
      client.write(Buffer.alloc(90, 1));
      await waitFor(() => readers[0]?.received === 90, "90 bytes upstream");
      await s.api("PATCH", `/proxies/${name}/toxics/cap`, { attributes: { bytes: 100 } });
      client.write(Buffer.alloc(20, 2));
      await readers[0]!.until(() => readers[0]!.ended, "the close after 100 bytes");
      assert.equal(readers[0]!.peek().length, 100);
    });

    it("closes both sides and forgets the connection when a client closes", async () => {
      const { name, port } = await s.proxy("gone", echo.port);
      await s.toxic(name, { type: "latency", attributes: { latency: 20 } });
      const readers = await Promise.all([1, 2, 3].map(() => s.reader(port)));
      for (const reader of readers) await roundTrip(reader, "x");
      assert.equal(server.liveConnections(), 3);
      for (const reader of readers) reader.socket.end();
      await waitFor(() => echo.accepted.every((socket) => socket.destroyed), "the upstream sides to close");
      for (const reader of readers) await reader.waitClosed();
      await waitFor(() => server.liveConnections() === 0, "the proxy to forget its connections");
    });

    it("closes every listener and live connection when the server closes", async () => {
      const { port } = await s.proxy("shutdown", echo.port);
      const reader = await s.reader(port);
      await roundTrip(reader, "x");
      await server.close();
      await reader.waitClosed();
      await waitFor(() => echo.accepted.every((socket) => socket.destroyed), "the upstream side to close");
      assert.equal(await s.connectError(port), "ECONNREFUSED");
      await assert.rejects(fetch(`${server.url}/version`));
    });
  });

  describe("performance (printed, loosely asserted; npm run bench:proxy has the full figures)", () => {
    it("measures the added round-trip latency through one proxy in this process", async function () {
      this.timeout(60_000);
      const { port } = await s.proxy("perf", echo.port);
      const payload = Buffer.alloc(64, 7);
      const sample = async (target: number, count: number): Promise<number[]> => {
        const reader = await s.reader(target);
        const times: number[] = [];
        for (let i = 0; i < count; i++) times.push(await roundTrip(reader, payload));
        reader.socket.destroy();
        return times;
      };
      await sample(port, 200); // warm-up (JIT)
      const direct = await sample(echo.port, 2000);
      const proxied = await sample(port, 2000);
      const us = (ms: number): string => `${(ms * 1000).toFixed(0)} us`;
      console.log(
        `      ping-pong 64 B x 2000 in-process: direct p50 ${us(nearestRank(direct, 50))}, ` +
          `via proxy p50 ${us(nearestRank(proxied, 50))} p99 ${us(nearestRank(proxied, 99))}`,
      );
      assert.ok(nearestRank(proxied, 50) < 20, `p50 ${nearestRank(proxied, 50).toFixed(2)} ms`);
    });
  });
});

describe("failover-drill toxiproxy (standalone command)", function () {
  this.timeout(60_000);
  let dir: string;
  let child: ChildProcess | undefined;
  let s: Session | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "failover-drill-toxiproxy-"));
  });

  afterEach(async () => {
    await s?.close();
    s = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    child = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts the command and waits for the line announcing the API address. */
  async function startCommand(args: string[]): Promise<{ url: string; output: () => string }> {
    let output = "";
    child = spawn(process.execPath, [path.join(repoRoot, "bin/failover-drill.js"), "toxiproxy", ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.setEncoding("utf8").on("data", (text: string) => (output += text));
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (output += text));
    const started = performance.now();
    for (;;) {
      const match = /API listening on (http:\/\/\S+)/.exec(output);
      if (match !== null) return { url: match[1]!, output: () => output };
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output}`);
      if (performance.now() - started > 30_000) throw new Error(`no API after 30 s: ${output}`);
      await sleep(50);
    }
  }

  function exitOf(process: ChildProcess): Promise<number | null> {
    if (process.exitCode !== null) return Promise.resolve(process.exitCode);
    return new Promise((resolve) => process.once("exit", (code) => resolve(code)));
  }

  it("serves proxies from --config on loopback, is used like toxiproxy-server, and exits 0 on SIGTERM", async () => {
    s = new Session("http://unused");
    const upstream = await s.echo();
    const config = path.join(dir, "proxies.json");
    await writeFile(
      config,
      JSON.stringify([
        { name: "db", listen: "127.0.0.1:0", upstream: `127.0.0.1:${upstream.port}` },
        { name: "spare", listen: "127.0.0.1:0", upstream: `127.0.0.1:${upstream.port}`, enabled: false },
      ]),
    );
    const { url, output } = await startCommand(["--port", "0", "--config", config]);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const api = new Session(url);
    const proxies = (await api.api("GET", "/proxies")).body as Record<
      string,
      { listen: string; enabled: boolean }
    >;
    assert.deepEqual(Object.keys(proxies).sort(), ["db", "spare"]);
    assert.equal(proxies["spare"]!.enabled, false);
    const port = portOf(proxies["db"]!.listen);
    await api.toxic("db", { type: "latency", attributes: { latency: 100 } });
    const reader = await s.reader(port);
    const rtt = await roundTripOf(reader);
    assert.ok(rtt >= 98, `round trip ${rtt.toFixed(0)} ms through the standalone proxy`);
    // Bad requests never take it down.
    assert.equal((await api.api("POST", "/proxies", undefined, { raw: "{oops" })).status, 400);

    child!.kill("SIGTERM");
    assert.equal(await exitOf(child!), 0, output());
    assert.match(output(), /SIGTERM: closing/);
    await reader.waitClosed();
    assert.equal(await s.connectError(port), "ECONNREFUSED");
  });

  it("warns that the API has no authentication when told to listen beyond loopback, and not on loopback", async () => {
    const wide = await startCommand(["--host", "0.0.0.0", "--port", "0"]);
    // stderr and stdout arrive on separate pipes: give the warning a moment to catch up.
    for (let i = 0; i < 50 && !/warning/.test(wide.output()); i++) await sleep(50);
    assert.match(
      wide.output(),
      /warning: the API listens on 0\.0\.0\.0, beyond loopback, without authentication/,
    );
    child!.kill("SIGTERM");
    assert.equal(await exitOf(child!), 0);
    const narrow = await startCommand(["--host", "127.0.0.1", "--port", "0"]);
    assert.doesNotMatch(narrow.output(), /warning/);
  });

  it("reports a broken --config and keeps serving, as toxiproxy-server does; SIGINT closes it", async () => {
    const config = path.join(dir, "broken.json");
    await writeFile(config, '[{"name": "x"}]');
    const { url, output } = await startCommand(["--port", "0", "--config", config]);
    assert.match(
      output(),
      /failed to populate proxies from .*broken\.json: missing required field: upstream at proxy 1/,
    );
    assert.equal((await fetch(`${url}/version`)).status, 200);
    child!.kill("SIGINT");
    assert.equal(await exitOf(child!), 0, output());
  });

  it("exits 2 on a port that is not a port, and 4 when the port is taken", async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => err.push(t) };
    assert.equal(await main(["toxiproxy", "--port", "70000"], io), 2);
    assert.match(err.join("\n"), /--port must be a whole number/);
    s = new Session("http://unused");
    const taken = await s.listen(net.createServer());
    assert.equal(await main(["toxiproxy", "--port", String(taken)], io), 4);
    assert.match(err.join("\n"), /cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });
});

async function roundTripOf(reader: Reader): Promise<number> {
  const started = performance.now();
  reader.socket.write("ping");
  await reader.read(4);
  return performance.now() - started;
}
