// Shared plumbing of the conformance suite. The suite runs against our embedded server by default
// and against any Toxiproxy 2.x when TOXIPROXY_URL is set (e.g. a real toxiproxy-server on this
// machine: the upstreams run in this process on 127.0.0.1). Every proxy a test creates gets a unique
// name and is deleted afterwards, and every socket and server is closed, on every path.
import assert from "node:assert/strict";
import net from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { ToxiproxyServer } from "../../src/toxiproxy/server.ts";
import { sleep } from "../../src/util/abort.ts";

export { sleep };

export const EXTERNAL_URL = (process.env["TOXIPROXY_URL"] ?? "").replace(/\/+$/, "");

/**
 * Toxiproxy's own tests allow +-10 ms (latency, bandwidth, reset). A loaded 2-core CI machine
 * needs more on the late side; CONFORMANCE_SLACK_MS=0 checks at Toxiproxy's exact tolerance.
 */
export const SLACK_MS = Number(process.env["CONFORMANCE_SLACK_MS"] ?? 200);

export interface Target {
  url: string;
  kind: "embedded" | "external";
  close(): Promise<void>;
}

export async function startTarget(): Promise<Target> {
  if (EXTERNAL_URL !== "") return { url: EXTERNAL_URL, kind: "external", close: async () => {} };
  const server = await ToxiproxyServer.start();
  return { url: server.url, kind: "embedded", close: () => server.close() };
}

let counter = 0;
/** Unique per run, so a shared server's other proxies are never touched. */
export function uniqueName(base: string): string {
  counter += 1;
  return `conformance-${process.pid}-${counter}-${base}`;
}

export interface ApiReply {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

export function portOf(listen: string): number {
  return Number(listen.split(":").pop());
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Collects a socket's bytes so tests can wait for exact amounts, its end, or its error. */
export class Reader {
  private chunks: Buffer[] = [];
  received = 0;
  reads = 0;
  ended = false;
  closed = false;
  error: NodeJS.ErrnoException | undefined;
  /** When (performance.now()) the last bytes arrived, the FIN came, an error came, the socket closed. */
  readonly at: { data?: number; end?: number; error?: number; close?: number } = {};
  private waiters = new Set<() => void>();

  constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.received += chunk.length;
      this.reads += 1;
      this.at.data = performance.now();
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.at.end = performance.now();
      this.wake();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      this.error = err;
      this.at.error = performance.now();
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.at.close = performance.now();
      this.wake();
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Waits until `condition` holds; rejects after `timeoutMs` with `what`. */
  async until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what} (${this.received} bytes so far)`);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  async read(bytes: number, timeoutMs = 10_000): Promise<Buffer> {
    await this.until(() => this.received >= bytes || this.closed || this.ended, `${bytes} bytes`, timeoutMs);
    if (this.received < bytes) {
      throw new Error(`stream closed after ${this.received} of ${bytes} bytes`);
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(bytes)];
    this.received -= bytes;
    return all.subarray(0, bytes);
  }

  /** Everything received so far (without consuming it). */
  peek(): Buffer {
    return Buffer.concat(this.chunks);
  }

  waitClosed(timeoutMs = 5_000): Promise<void> {
    return this.until(() => this.closed, "the socket to close", timeoutMs);
  }
}

/** Writes `payload` and measures until the echo has all come back; asserts it is the same bytes. */
export async function roundTrip(reader: Reader, payload: Buffer | string): Promise<number> {
  const data = typeof payload === "string" ? Buffer.from(payload) : payload;
  const started = performance.now();
  reader.socket.write(data);
  const echoed = await reader.read(data.length);
  const elapsed = performance.now() - started;
  assert.ok(echoed.equals(data), "the echo differs from what was sent");
  return elapsed;
}

/** A buffer of consecutive uint32 counters: any loss, duplication or reordering shows. */
export function countingPattern(bytes: number): Buffer {
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < bytes / 4; i++) buffer.writeUInt32LE(i, i * 4);
  return buffer;
}

/**
 * Asserts a duration within Toxiproxy's tolerance `delta` of `expected`, plus SLACK_MS late.
 * Returns a description for logs.
 */
export function assertDuration(what: string, actual: number, expected: number, delta: number): void {
  assert.ok(
    actual >= expected - delta && actual <= expected + delta + SLACK_MS,
    `${what}: took ${actual.toFixed(1)} ms, expected ${expected} ms (-${delta}/+${delta + SLACK_MS})`,
  );
}

/** One test's resources: proxies on the target, upstream servers and client sockets. */
export class Session {
  private readonly proxies = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private readonly servers = new Set<Server>();

  constructor(readonly url: string) {}

  async api(
    method: string,
    path: string,
    body?: unknown,
    opts: { raw?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiReply> {
    const init: RequestInit = { method, headers: { "Content-Type": "application/json", ...opts.headers } };
    if (opts.raw !== undefined) init.body = opts.raw;
    else if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${this.url}${path}`, init);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  /** Remembers a proxy name so close() deletes it whatever the test did. */
  own(name: string): string {
    this.proxies.add(name);
    return name;
  }

  /** Creates an enabled proxy on 127.0.0.1:0; returns its name and the port it listens on. */
  async proxy(base: string, upstreamPort: number): Promise<{ name: string; port: number }> {
    const name = this.own(uniqueName(base));
    const reply = await this.api("POST", "/proxies", {
      name,
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${upstreamPort}`,
    });
    assert.equal(reply.status, 201, reply.text);
    return { name, port: portOf((reply.body as { listen: string }).listen) };
  }

  async toxic(proxy: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = await this.api("POST", `/proxies/${proxy}/toxics`, body);
    assert.equal(reply.status, 200, reply.text);
    return reply.body as Record<string, unknown>;
  }

  async removeToxic(proxy: string, toxic: string): Promise<void> {
    const reply = await this.api("DELETE", `/proxies/${proxy}/toxics/${toxic}`);
    assert.equal(reply.status, 204, reply.text);
  }

  track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    return socket;
  }

  async listen(server: Server): Promise<number> {
    this.servers.add(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** An upstream that echoes every byte; `accepted` collects its side of each connection. */
  async echo(): Promise<{ port: number; accepted: Socket[] }> {
    const accepted: Socket[] = [];
    const server = net.createServer({ noDelay: true }, (socket) => {
      this.track(socket);
      accepted.push(socket);
      socket.on("error", () => {});
      socket.pipe(socket);
    });
    return { port: await this.listen(server), accepted };
  }

  /** An upstream that only records: each accepted connection gets a Reader. */
  async recorder(options: net.ServerOpts = {}): Promise<{ port: number; readers: Reader[] }> {
    const readers: Reader[] = [];
    const server = net.createServer({ noDelay: true, ...options }, (socket) => {
      readers.push(new Reader(this.track(socket)));
    });
    return { port: await this.listen(server), readers };
  }

  connect(port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = this.track(net.connect({ host: "127.0.0.1", port, noDelay: true }));
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(socket);
      });
      socket.once("error", reject);
    });
  }

  async reader(port: number): Promise<Reader> {
    return new Reader(await this.connect(port));
  }

  /** Resolves with the connect error code, or undefined when the connection was accepted. */
  connectError(port: number): Promise<string | undefined> {
    return this.connect(port).then(
      (socket) => {
        socket.destroy();
        return undefined;
      },
      (err: NodeJS.ErrnoException) => err.code ?? err.message,
    );
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await Promise.all(
      [...this.proxies].map((name) => this.api("DELETE", `/proxies/${name}`).catch(() => undefined)),
    );
    this.proxies.clear();
    await Promise.all([...this.servers].map((s) => new Promise((resolve) => s.close(resolve))));
    this.servers.clear();
  }
}
