import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import net from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { ToxiproxyServer } from "../../src/toxiproxy/server.ts";

// ---------------------------------------------------------------------------------------------------
// Helpers: real sockets only. Everything opened here is tracked and closed in afterEach.

const openSockets = new Set<Socket>();
const openServers = new Set<Server>();

function track(socket: Socket): Socket {
  openSockets.add(socket);
  socket.once("close", () => openSockets.delete(socket));
  return socket;
}

async function listen(server: Server): Promise<number> {
  openServers.add(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

interface Echo {
  port: number;
  /** Connections the echo server currently holds open (the proxy's upstream side). */
  sockets: Set<Socket>;
}

async function startEcho(): Promise<Echo> {
  const sockets = new Set<Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    track(socket);
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  return { port: await listen(server), sockets };
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = track(net.connect({ host: "127.0.0.1", port, noDelay: true }));
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

function connectError(port: number): Promise<NodeJS.ErrnoException | undefined> {
  return connect(port).then(
    (socket) => {
      socket.destroy();
      return undefined;
    },
    (err: NodeJS.ErrnoException) => err,
  );
}

/** Collects a socket's bytes so tests can wait for exact amounts. */
class Reader {
  private chunks: Buffer[] = [];
  received = 0;
  ended = false;
  private waiter: (() => void) | undefined;

  constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.received += chunk.length;
      this.waiter?.();
    });
    socket.on("end", () => {
      this.ended = true;
      this.waiter?.();
    });
    socket.on("close", () => this.waiter?.());
    socket.on("error", () => {});
  }

  async read(bytes: number, timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.received < bytes) {
      if (this.socket.destroyed || this.ended) {
        throw new Error(`stream closed after ${this.received} of ${bytes} bytes`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${this.received} of ${bytes} bytes`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(bytes)];
    this.received -= bytes;
    return all.subarray(0, bytes);
  }
}

function closed(socket: Socket, timeoutMs = 5_000): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("socket was not closed")), timeoutMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function roundTripMs(reader: Reader, payload: Buffer): Promise<number> {
  const started = performance.now();
  reader.socket.write(payload);
  const echoed = await reader.read(payload.length);
  const elapsed = performance.now() - started;
  assert.ok(echoed.equals(payload), "echoed bytes differ");
  return elapsed;
}

/** A buffer of consecutive uint32 counters: any loss, duplication or reordering shows. */
function countingPattern(bytes: number): Buffer {
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < bytes / 4; i++) buffer.writeUInt32LE(i, i * 4);
  return buffer;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---------------------------------------------------------------------------------------------------

describe("embedded Toxiproxy server (integration)", function () {
  this.timeout(30_000);
  let server: ToxiproxyServer;
  let echo: Echo;

  interface ApiReply {
    status: number;
    body: unknown;
    text: string;
  }

  async function api(method: string, path: string, body?: unknown, raw?: string): Promise<ApiReply> {
    const init: RequestInit = { method };
    if (raw !== undefined) init.body = raw;
    else if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${server.url}${path}`, init);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  }

  async function createProxy(name: string, extra: Record<string, unknown> = {}): Promise<number> {
    const reply = await api("POST", "/proxies", { name, upstream: `127.0.0.1:${echo.port}`, ...extra });
    assert.equal(reply.status, 201, reply.text);
    return Number((reply.body as { listen: string }).listen.split(":").pop());
  }

  async function addLatency(proxy: string, name: string, stream: string, latency: number): Promise<void> {
    const reply = await api("POST", `/proxies/${proxy}/toxics`, {
      name,
      type: "latency",
      stream,
      attributes: { latency, jitter: 0 },
    });
    assert.equal(reply.status, 200, reply.text);
  }

  beforeEach(async () => {
    server = await ToxiproxyServer.start();
    echo = await startEcho();
  });

  afterEach(async () => {
    await server.close();
    for (const socket of openSockets) socket.destroy();
    await Promise.all([...openServers].map((s) => new Promise((resolve) => s.close(resolve))));
    openServers.clear();
  });

  describe("HTTP API", () => {
    it("answers GET /version with a JSON version", async () => {
      const reply = await api("GET", "/version");
      assert.equal(reply.status, 200);
      assert.match((reply.body as { version: string }).version, /^2\.\d+\.\d+/);
    });

    it("creates a proxy with 201 and echoes the address actually bound", async () => {
      const reply = await api("POST", "/proxies", {
        name: "db",
        listen: "localhost:0",
        upstream: `127.0.0.1:${echo.port}`,
      });
      assert.equal(reply.status, 201);
      const proxy = reply.body as Record<string, unknown>;
      assert.match(proxy["listen"] as string, /^127\.0\.0\.1:\d+$/);
      assert.notEqual(proxy["listen"], "127.0.0.1:0");
      assert.deepEqual(
        { ...proxy, listen: "x" },
        { name: "db", listen: "x", upstream: `127.0.0.1:${echo.port}`, enabled: true, toxics: [] },
      );
    });

    it("defaults listen to 127.0.0.1:0 and creates a disabled proxy without listening", async () => {
      const enabled = await api("POST", "/proxies", { name: "a", upstream: `127.0.0.1:${echo.port}` });
      assert.match((enabled.body as { listen: string }).listen, /^127\.0\.0\.1:[1-9]\d*$/);
      const disabled = await api("POST", "/proxies", {
        name: "b",
        upstream: `127.0.0.1:${echo.port}`,
        enabled: false,
      });
      assert.equal(disabled.status, 201);
      assert.deepEqual(disabled.body, {
        name: "b",
        listen: "127.0.0.1:0",
        upstream: `127.0.0.1:${echo.port}`,
        enabled: false,
        toxics: [],
      });
    });

    it("rejects a duplicate proxy name with 409 and an error body", async () => {
      await createProxy("db");
      const reply = await api("POST", "/proxies", { name: "db", upstream: `127.0.0.1:${echo.port}` });
      assert.equal(reply.status, 409);
      assert.deepEqual(reply.body, { error: "proxy already exists", status: 409 });
    });

    it("rejects a proxy without a name or an upstream with 400", async () => {
      const noName = await api("POST", "/proxies", { upstream: `127.0.0.1:${echo.port}` });
      assert.equal(noName.status, 400);
      assert.deepEqual(noName.body, { error: "missing required field: name", status: 400 });
      const noUpstream = await api("POST", "/proxies", { name: "x" });
      assert.equal(noUpstream.status, 400);
      assert.deepEqual(noUpstream.body, { error: "missing required field: upstream", status: 400 });
      const wrongType = await api("POST", "/proxies", { name: 5, upstream: "127.0.0.1:1" });
      assert.equal(wrongType.status, 400);
    });

    it("answers 500 with the reason when the listen port is in use, and adds no proxy", async () => {
      const taken = net.createServer();
      const port = await listen(taken);
      const reply = await api("POST", "/proxies", {
        name: "db",
        listen: `127.0.0.1:${port}`,
        upstream: `127.0.0.1:${echo.port}`,
      });
      assert.equal(reply.status, 500);
      const body = reply.body as { error: string; status: number };
      assert.equal(body.status, 500);
      assert.match(body.error, /address already in use/i);
      assert.equal((await api("GET", "/proxies/db")).status, 404);
    });

    it("answers 404 for an unknown proxy, an unknown toxic and an unknown route", async () => {
      const proxy = await api("GET", "/proxies/nope");
      assert.deepEqual(proxy.body, { error: "proxy not found", status: 404 });
      assert.equal(proxy.status, 404);
      await createProxy("db");
      const toxic = await api("GET", "/proxies/db/toxics/nope");
      assert.deepEqual(toxic.body, { error: "toxic not found", status: 404 });
      assert.equal((await api("DELETE", "/proxies/db/toxics/nope")).status, 404);
      const route = await api("GET", "/no/such/route");
      assert.equal(route.status, 404);
      assert.equal((route.body as { status: number }).status, 404);
      assert.equal((await api("GET", "/proxies/db/other")).status, 404);
    });

    it("answers 400 for malformed or missing JSON bodies", async () => {
      await createProxy("db");
      for (const [method, path] of [
        ["POST", "/proxies"],
        ["POST", "/proxies/db"],
        ["POST", "/proxies/db/toxics"],
        ["POST", "/populate"],
      ] as const) {
        const malformed = await api(method, path, undefined, "{not json");
        assert.equal(malformed.status, 400, `${method} ${path}`);
        assert.match((malformed.body as { error: string }).error, /^bad request body/);
        const empty = await api(method, path, undefined, "");
        assert.equal(empty.status, 400, `${method} ${path} without body`);
      }
    });

    it("updates a proxy partially with POST and PATCH, and deletes it with 204", async () => {
      const port = await createProxy("db");
      const disabled = await api("PATCH", "/proxies/db", { enabled: false });
      assert.equal(disabled.status, 200);
      assert.deepEqual(disabled.body, {
        name: "db",
        listen: `127.0.0.1:${port}`,
        upstream: `127.0.0.1:${echo.port}`,
        enabled: false,
        toxics: [],
      });
      const enabled = await api("POST", "/proxies/db", { enabled: true });
      assert.equal((enabled.body as { enabled: boolean }).enabled, true);
      const bad = await api("POST", "/proxies/db", { enabled: "yes" });
      assert.equal(bad.status, 400);

      const other = await startEcho();
      const moved = await api("PATCH", "/proxies/db", { upstream: `127.0.0.1:${other.port}` });
      assert.equal((moved.body as { upstream: string }).upstream, `127.0.0.1:${other.port}`);
      const reader = new Reader(await connect(port));
      await roundTripMs(reader, Buffer.from("ping"));
      assert.equal(other.sockets.size, 1, "the new upstream serves new connections");

      const deleted = await api("DELETE", "/proxies/db");
      assert.equal(deleted.status, 204);
      assert.equal(deleted.text, "");
      assert.equal((await api("GET", "/proxies/db")).status, 404);
      assert.equal((await connectError(port))?.code, "ECONNREFUSED");
    });

    it("restarts the listener only when listen or upstream change", async () => {
      const port = await createProxy("db");
      const reader = new Reader(await connect(port));
      await roundTripMs(reader, Buffer.from("a"));
      // The node client sends the full body back on update; unchanged fields must not restart anything.
      await api("POST", "/proxies/db", {
        name: "db",
        listen: `127.0.0.1:${port}`,
        upstream: `127.0.0.1:${echo.port}`,
        enabled: true,
      });
      await roundTripMs(reader, Buffer.from("b"));
      const moved = await api("PATCH", "/proxies/db", { listen: "127.0.0.1:0" });
      const newPort = Number((moved.body as { listen: string }).listen.split(":").pop());
      assert.notEqual(newPort, port);
      await closed(reader.socket);
      await roundTripMs(new Reader(await connect(newPort)), Buffer.from("c"));
    });

    it("lists proxies keyed by name with their toxics", async () => {
      await createProxy("a");
      await createProxy("b");
      await addLatency("b", "slow", "upstream", 10);
      const reply = await api("GET", "/proxies");
      assert.equal(reply.status, 200);
      const all = reply.body as Record<string, { name: string; toxics: Array<{ name: string }> }>;
      assert.deepEqual(Object.keys(all).sort(), ["a", "b"]);
      assert.deepEqual(
        all["b"]!.toxics.map((t) => t.name),
        ["slow"],
      );
    });

    it("creates, reads, merges and deletes toxics with Toxiproxy's defaults and errors", async () => {
      await createProxy("db");
      const created = await api("POST", "/proxies/db/toxics", {
        type: "latency",
        attributes: { latency: 50 },
      });
      assert.equal(created.status, 200);
      assert.deepEqual(created.body, {
        name: "latency_downstream",
        type: "latency",
        stream: "downstream",
        toxicity: 1,
        attributes: { latency: 50, jitter: 0 },
      });
      const duplicate = await api("POST", "/proxies/db/toxics", {
        type: "latency",
        attributes: { latency: 5 },
      });
      assert.deepEqual(duplicate.body, { error: "toxic already exists", status: 409 });
      assert.equal(duplicate.status, 409);

      const unknown = await api("POST", "/proxies/db/toxics", { type: "tsunami", attributes: {} });
      assert.deepEqual(unknown.body, { error: "invalid toxic type", status: 400 });
      const badStream = await api("POST", "/proxies/db/toxics", { type: "latency", stream: "sideways" });
      assert.equal(badStream.status, 400);
      assert.match((badStream.body as { error: string }).error, /stream was invalid/);
      const badAttribute = await api("POST", "/proxies/db/toxics", {
        name: "neg",
        type: "latency",
        attributes: { latency: -5 },
      });
      assert.equal(badAttribute.status, 400);
      const badToxicity = await api("POST", "/proxies/db/toxics", {
        name: "t",
        type: "latency",
        toxicity: 2,
      });
      assert.equal(badToxicity.status, 400);

      const up = await api("POST", "/proxies/db/toxics", {
        name: "up",
        type: "latency",
        stream: "upstream",
        toxicity: 0.5,
        attributes: { latency: 7, jitter: 1 },
      });
      assert.equal(up.status, 200);
      const list = await api("GET", "/proxies/db/toxics");
      assert.deepEqual(
        (list.body as Array<{ name: string }>).map((t) => t.name),
        ["up", "latency_downstream"],
      );

      const merged = await api("PATCH", "/proxies/db/toxics/up", { attributes: { jitter: 3 } });
      assert.equal(merged.status, 200);
      assert.deepEqual(merged.body, {
        name: "up",
        type: "latency",
        stream: "upstream",
        toxicity: 0.5,
        attributes: { latency: 7, jitter: 3 },
      });
      const viaPost = await api("POST", "/proxies/db/toxics/up", { toxicity: 1, attributes: { latency: 9 } });
      assert.deepEqual((viaPost.body as { attributes: unknown }).attributes, { latency: 9, jitter: 3 });
      assert.deepEqual((await api("GET", "/proxies/db/toxics/up")).body, viaPost.body);

      const removed = await api("DELETE", "/proxies/db/toxics/up");
      assert.equal(removed.status, 204);
      assert.equal((await api("GET", "/proxies/db/toxics/up")).status, 404);
      assert.equal((await api("POST", "/proxies/nope/toxics", { type: "latency" })).status, 404);
    });

    it("creates and replaces proxies with POST /populate", async () => {
      const port = await createProxy("keep");
      const reply = await api("POST", "/populate", [
        { name: "keep", listen: `127.0.0.1:${port}`, upstream: `127.0.0.1:${echo.port}` },
        { name: "new", upstream: `127.0.0.1:${echo.port}` },
      ]);
      assert.equal(reply.status, 201, reply.text);
      const proxies = (reply.body as { proxies: Array<{ name: string; listen: string; enabled: boolean }> })
        .proxies;
      assert.deepEqual(
        proxies.map((p) => [p.name, p.enabled]),
        [
          ["keep", true],
          ["new", true],
        ],
      );
      assert.equal(proxies[0]!.listen, `127.0.0.1:${port}`);
      assert.equal((await api("POST", "/populate", [{ name: "x" }])).status, 400);
    });

    it("keeps serving after garbage requests", async () => {
      const raw = await connect(Number(new URL(server.url).port));
      const reader = new Reader(raw);
      raw.write("\x00\x01GARBAGE \xff\r\n\r\n");
      await closed(raw);
      assert.equal(reader.ended, true);
      const huge = await api("POST", "/proxies", undefined, "x".repeat(2 * 1024 * 1024));
      assert.ok(huge.status >= 400 && huge.status < 500, `status ${huge.status}`);
      assert.equal((await api("PUT", "/proxies")).status, 405);
      assert.equal((await api("GET", "/proxies/%E0%A4%A")).status, 400);
      assert.equal((await api("GET", "/version")).status, 200);
    });
  });

  describe("data path", () => {
    it("passes small and 8 MiB messages through intact", async () => {
      const port = await createProxy("db");
      const reader = new Reader(await connect(port));
      await roundTripMs(reader, Buffer.from("hello"));
      const large = randomBytes(8 * 1024 * 1024);
      reader.socket.write(large);
      const echoed = await reader.read(large.length, 20_000);
      assert.ok(echoed.equals(large), "8 MiB came back changed");
    });

    it("passes a half-close on through latency toxics and still delivers the reply", async () => {
      // An upstream that answers only after the client has finished sending (like an HTTP/1.0 body).
      const upstream = net.createServer({ allowHalfOpen: true }, (socket) => {
        track(socket);
        const chunks: Buffer[] = [];
        socket.on("data", (c: Buffer) => chunks.push(c));
        socket.on("end", () => socket.end(Buffer.concat(chunks).reverse()));
      });
      const upstreamPort = await listen(upstream);
      const reply = await api("POST", "/proxies", { name: "hc", upstream: `127.0.0.1:${upstreamPort}` });
      const port = Number((reply.body as { listen: string }).listen.split(":").pop());
      await addLatency("hc", "up", "upstream", 30);
      await addLatency("hc", "down", "downstream", 30);
      const client = await connect(port);
      const received: Buffer[] = [];
      client.on("data", (c: Buffer) => received.push(c));
      client.end("abc");
      await closed(client);
      assert.equal(Buffer.concat(received).toString(), "cba");
    });

    it("closes live connections on both sides and refuses new ones when disabled", async () => {
      const port = await createProxy("db");
      const reader = new Reader(await connect(port));
      await roundTripMs(reader, Buffer.from("ping"));
      assert.equal(echo.sockets.size, 1);
      const reply = await api("POST", "/proxies/db", { enabled: false });
      assert.equal((reply.body as { enabled: boolean }).enabled, false);
      await closed(reader.socket);
      await waitFor(() => echo.sockets.size === 0, "the upstream side to be closed");
      assert.equal((await connectError(port))?.code, "ECONNREFUSED");
    });

    it("listens again on the same port when enabled", async () => {
      const port = await createProxy("db");
      await api("POST", "/proxies/db", { enabled: false });
      assert.equal((await connectError(port))?.code, "ECONNREFUSED");
      const reply = await api("POST", "/proxies/db", { enabled: true });
      assert.equal((reply.body as { listen: string }).listen, `127.0.0.1:${port}`);
      await roundTripMs(new Reader(await connect(port)), Buffer.from("again"));
    });

    it("keeps toxics across disable and enable", async () => {
      const port = await createProxy("db");
      await addLatency("db", "slow", "downstream", 150);
      await api("POST", "/proxies/db", { enabled: false });
      await api("POST", "/proxies/db", { enabled: true });
      const toxics = await api("GET", "/proxies/db/toxics");
      assert.deepEqual(
        (toxics.body as Array<{ name: string }>).map((t) => t.name),
        ["slow"],
      );
      const rtt = await roundTripMs(new Reader(await connect(port)), Buffer.from("x"));
      assert.ok(rtt >= 140, `round trip ${rtt.toFixed(1)} ms should include the 150 ms toxic`);
    });

    it("re-enables every proxy and removes every toxic on reset", async () => {
      const portA = await createProxy("a");
      await createProxy("b");
      await addLatency("a", "slow", "upstream", 500);
      await addLatency("b", "slow", "downstream", 500);
      await api("POST", "/proxies/a", { enabled: false });
      const reply = await api("POST", "/reset");
      assert.equal(reply.status, 204);
      const all = (await api("GET", "/proxies")).body as Record<
        string,
        { enabled: boolean; toxics: unknown[] }
      >;
      assert.deepEqual(
        Object.values(all).map((p) => [p.enabled, p.toxics.length]),
        [
          [true, 0],
          [true, 0],
        ],
      );
      const rtt = await roundTripMs(new Reader(await connect(portA)), Buffer.from("x"));
      assert.ok(rtt < 400, `round trip ${rtt.toFixed(1)} ms after reset`);
    });

    it("adds about its latency in each direction, and two latency toxics add up", async () => {
      const latency = 100;
      const port = await createProxy("db");
      const measure = async (): Promise<number> => {
        const reader = new Reader(await connect(port));
        const rtt = await roundTripMs(reader, Buffer.from("x"));
        reader.socket.destroy();
        return rtt;
      };
      const base = await measure();
      await addLatency("db", "down", "downstream", latency);
      const down = await measure();
      await api("DELETE", "/proxies/db/toxics/down");
      await addLatency("db", "up", "upstream", latency);
      const up = await measure();
      await addLatency("db", "up2", "upstream", latency);
      const both = await measure();
      const tolerance = 250; // shared 2-core machine
      assert.ok(base < 50, `base round trip ${base.toFixed(1)} ms`);
      for (const [what, rtt, expected] of [
        ["downstream", down, latency],
        ["upstream", up, latency],
        ["two upstream toxics", both, 2 * latency],
      ] as const) {
        assert.ok(rtt >= expected - 2 && rtt < expected + tolerance, `${what}: ${rtt.toFixed(1)} ms`);
      }
    });

    it("applies a toxic added while a connection is open, and lifts it when removed", async () => {
      const port = await createProxy("db");
      const reader = new Reader(await connect(port));
      assert.ok((await roundTripMs(reader, Buffer.from("a"))) < 100);
      await addLatency("db", "late", "downstream", 200);
      const slowed = await roundTripMs(reader, Buffer.from("b"));
      assert.ok(slowed >= 195, `round trip ${slowed.toFixed(1)} ms`);
      await api("DELETE", "/proxies/db/toxics/late");
      const healed = await roundTripMs(reader, Buffer.from("c"));
      assert.ok(healed < 150, `round trip ${healed.toFixed(1)} ms after removal`);
    });

    it("keeps throughput under latency: chunks are delayed from when each was read, not one by one", async () => {
      const port = await createProxy("db");
      await addLatency("db", "slow", "downstream", 100);
      const reader = new Reader(await connect(port));
      const started = performance.now();
      for (let i = 0; i < 20; i++) {
        reader.socket.write(Buffer.alloc(1024, i));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await reader.read(20 * 1024);
      const elapsed = performance.now() - started;
      // One by one would take 20 x 100 ms; pipelined it is about 100 ms plus the 100 ms of sending.
      assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
    });

    it("loses nothing and keeps order when latency toxics are removed under load", async () => {
      const port = await createProxy("db");
      await addLatency("db", "up", "upstream", 150);
      await addLatency("db", "down", "downstream", 150);
      const reader = new Reader(await connect(port));
      const pattern = countingPattern(6 * 1024 * 1024);
      const chunk = 64 * 1024;
      let sent = 0;
      const heldAtRemoval: number[] = [];
      const writer = (async () => {
        for (let offset = 0; offset < pattern.length; offset += chunk) {
          reader.socket.write(pattern.subarray(offset, offset + chunk));
          sent += chunk;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 120));
      heldAtRemoval.push(sent - reader.received);
      assert.equal((await api("DELETE", "/proxies/db/toxics/up")).status, 204);
      await new Promise((resolve) => setTimeout(resolve, 60));
      heldAtRemoval.push(sent - reader.received);
      assert.equal((await api("DELETE", "/proxies/db/toxics/down")).status, 204);
      await writer;
      const echoed = await reader.read(pattern.length, 20_000);
      assert.ok(
        heldAtRemoval.every((held) => held > 0),
        `data was in flight at each removal: ${heldAtRemoval.join(", ")}`,
      );
      const firstDifference = echoed.findIndex((byte, i) => byte !== pattern[i]);
      assert.equal(firstDifference, -1, `stream differs from byte ${firstDifference}`);
    });

    it("closes the client connection when the upstream cannot be reached", async () => {
      const gone = net.createServer();
      const deadPort = await listen(gone);
      await new Promise((resolve) => gone.close(resolve));
      openServers.delete(gone);
      const reply = await api("POST", "/proxies", { name: "dead", upstream: `127.0.0.1:${deadPort}` });
      const port = Number((reply.body as { listen: string }).listen.split(":").pop());
      const reader = new Reader(await connect(port));
      reader.socket.write("anyone?");
      await closed(reader.socket);
      assert.equal(reader.received, 0);
    });

    it("closes every listener and live connection when the server closes", async () => {
      const port = await createProxy("db");
      const reader = new Reader(await connect(port));
      await roundTripMs(reader, Buffer.from("x"));
      await server.close();
      await closed(reader.socket);
      await waitFor(() => echo.sockets.size === 0, "the upstream side to be closed");
      assert.equal((await connectError(port))?.code, "ECONNREFUSED");
      await assert.rejects(fetch(`${server.url}/version`));
    });
  });

  describe("performance (printed, loosely asserted)", () => {
    it("measures added round-trip latency and throughput through one proxy", async function () {
      this.timeout(120_000);
      const port = await createProxy("db");
      const payload = Buffer.alloc(64, 7);
      const sample = async (target: number, count: number): Promise<number[]> => {
        const reader = new Reader(await connect(target));
        const times: number[] = [];
        for (let i = 0; i < count; i++) times.push(await roundTripMs(reader, payload));
        reader.socket.destroy();
        return times.sort((a, b) => a - b);
      };
      await sample(port, 200); // warm-up (JIT)
      const direct = await sample(echo.port, 2000);
      const proxied = await sample(port, 2000);
      const us = (ms: number): string => `${(ms * 1000).toFixed(0)} us`;
      console.log(
        `      ping-pong 64 B x 2000: direct p50 ${us(percentile(direct, 50))} p99 ${us(percentile(direct, 99))}; ` +
          `via proxy p50 ${us(percentile(proxied, 50))} p99 ${us(percentile(proxied, 99))}; ` +
          `added p50 ${us(percentile(proxied, 50) - percentile(direct, 50))} p99 ${us(percentile(proxied, 99) - percentile(direct, 99))}`,
      );
      assert.equal(proxied.length, 2000);

      const total = 256 * 1024 * 1024;
      let sinkReceived = 0;
      let sinkDone: () => void = () => {};
      const sink = net.createServer((socket) => {
        track(socket);
        socket.on("data", (c: Buffer) => {
          sinkReceived += c.length;
          if (sinkReceived >= total) sinkDone();
        });
      });
      const sinkPort = await listen(sink);
      const throughput = async (target: number): Promise<number> => {
        sinkReceived = 0;
        const done = new Promise<void>((resolve) => (sinkDone = resolve));
        const socket = await connect(target);
        const block = Buffer.alloc(256 * 1024, 1);
        const started = performance.now();
        for (let sent = 0; sent < total; sent += block.length) {
          if (!socket.write(block)) await new Promise((resolve) => socket.once("drain", resolve));
        }
        await done;
        const seconds = (performance.now() - started) / 1000;
        socket.destroy();
        return total / 1024 / 1024 / seconds;
      };
      await api("POST", "/proxies", { name: "sink", upstream: `127.0.0.1:${sinkPort}` });
      const sinkProxyPort = Number(
        ((await api("GET", "/proxies/sink")).body as { listen: string }).listen.split(":").pop(),
      );
      const directMBs = await throughput(sinkPort);
      const proxiedMBs = await throughput(sinkProxyPort);
      console.log(
        `      throughput 256 MiB one way: direct ${directMBs.toFixed(0)} MB/s, via proxy ${proxiedMBs.toFixed(0)} MB/s`,
      );
      assert.ok(proxiedMBs > 10, `throughput ${proxiedMBs.toFixed(1)} MB/s`);
    });
  });
});
