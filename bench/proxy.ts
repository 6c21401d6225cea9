// `npm run bench:proxy`: what one embedded proxy costs. The proxy runs as the standalone command in
// its own process (honest numbers: it does not share an event loop with the load generator), then
// in this process for comparison. Printed, not asserted; the targets come from Toxiproxy's own tests:
// average latency per proxied trip under 0.3 ms (toxic_test.go TestProxyLatency) and at least
// 100 MB/s through a latency toxic (latency_test.go TestLatencyToxicBandwidth).
// It also measures how far apart a region outage's cuts land (bench/proxy-cut.ts).
//   npm run bench:proxy            full run (about a minute)
//   npm run bench:proxy -- --quick fewer samples and bytes
//   npm run bench:proxy -- --toxiproxy-url http://127.0.0.1:8474   the same figures for that server too
import { spawn } from "node:child_process";
import net from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { nearestRank } from "../src/checkers/availability.ts";
import { ToxiproxyServer } from "../src/toxiproxy/server.ts";
import { sleep } from "../src/util/abort.ts";
import { type CutSpread, describeCutSpread, measureCutSpread } from "./proxy-cut.ts";

const quick = process.argv.includes("--quick");
const urlFlag = process.argv.indexOf("--toxiproxy-url");
/** Another Toxiproxy server to measure side by side (e.g. the Go binary); it must be a spare one. */
const externalUrl = urlFlag < 0 ? undefined : process.argv[urlFlag + 1]?.replace(/\/+$/, "");
const CUT_ROUNDS = quick ? 10 : 30;
const ROUND_TRIPS = quick ? 2_000 : 10_000;
const THROUGHPUT_BYTES = (quick ? 128 : 512) * 1024 * 1024;
const LATENCY_TOXIC_MS = 100;
const MB = 1_000_000;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const servers: Server[] = [];
const sockets = new Set<Socket>();

const us = (ms: number): string => `${(ms * 1000).toFixed(0)} us`;

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  return (server.address() as AddressInfo).port;
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true }, () => resolve(socket));
    sockets.add(socket);
    socket.once("error", reject);
  });
}

/** Upstreams in this (load generator) process: an echo and a byte counter. */
async function startUpstreams(): Promise<{
  echo: number;
  sink: number;
  sinkWait: (bytes: number) => Promise<Span>;
}> {
  const echo = await listen(
    net.createServer({ noDelay: true }, (socket) => {
      sockets.add(socket);
      socket.pipe(socket);
    }),
  );
  let onData: ((bytes: number) => void) | undefined;
  const sink = await listen(
    net.createServer((socket) => {
      sockets.add(socket);
      socket.on("data", (chunk: Buffer) => onData?.(chunk.length));
    }),
  );
  interface Span {
    first: number;
    last: number;
  }
  const sinkWait = (bytes: number): Promise<Span> =>
    new Promise((resolve) => {
      let received = 0;
      let first = 0;
      onData = (n) => {
        if (received === 0) first = performance.now();
        received += n;
        if (received >= bytes) {
          onData = undefined;
          resolve({ first, last: performance.now() });
        }
      };
    });
  return { echo, sink, sinkWait };
}
type Span = { first: number; last: number };

async function pingPong(port: number, count: number): Promise<number[]> {
  const socket = await connect(port);
  const payload = Buffer.alloc(64, 7);
  const times: number[] = [];
  let resolveOne: () => void = () => {};
  let pending = 0;
  socket.on("data", (chunk: Buffer) => {
    pending -= chunk.length;
    if (pending <= 0) resolveOne();
  });
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    pending = payload.length;
    await new Promise<void>((resolve) => {
      resolveOne = resolve;
      socket.write(payload);
    });
    times.push(performance.now() - started);
  }
  socket.destroy();
  return times;
}

async function throughput(
  port: number,
  sinkWait: (bytes: number) => Promise<Span>,
  bytes: number,
): Promise<{ total: number; steady: number }> {
  const done = sinkWait(bytes);
  const socket = await connect(port);
  const block = Buffer.alloc(256 * 1024, 1);
  const started = performance.now();
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!socket.write(block)) await new Promise((resolve) => socket.once("drain", resolve));
  }
  const span = await done;
  socket.destroy();
  return {
    total: bytes / MB / ((span.last - started) / 1000),
    // From the first byte out: a latency toxic's own delay is not a throughput cost.
    steady: bytes / MB / ((span.last - span.first) / 1000),
  };
}

async function api(url: string, method: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${route}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text === "" ? undefined : JSON.parse(text);
}

async function createProxy(url: string, name: string, upstream: number): Promise<number> {
  const proxy = (await api(url, "POST", "/proxies", {
    name,
    listen: "127.0.0.1:0",
    upstream: `127.0.0.1:${upstream}`,
  })) as { listen: string };
  return Number(proxy.listen.split(":").pop());
}

interface Figures {
  label: string;
  rttP50: number;
  rttP99: number;
  addedP50: number;
  addedP99: number;
  perTrip: number;
  plainMBs: number;
  latencyMBs: number;
  latencySteadyMBs: number;
  cut: CutSpread;
}

async function measure(
  label: string,
  url: string,
  up: Awaited<ReturnType<typeof startUpstreams>>,
  direct: number[],
): Promise<Figures> {
  const echoPort = await createProxy(url, "bench-echo", up.echo);
  const sinkPort = await createProxy(url, "bench-sink", up.sink);
  await pingPong(echoPort, 1_000); // warm-up (JIT on both sides)
  const proxied = await pingPong(echoPort, ROUND_TRIPS);
  const plain = await throughput(sinkPort, up.sinkWait, THROUGHPUT_BYTES);
  await api(url, "POST", "/proxies/bench-sink/toxics", {
    name: "lag",
    type: "latency",
    stream: "upstream",
    attributes: { latency: LATENCY_TOXIC_MS },
  });
  const delayed = await throughput(sinkPort, up.sinkWait, THROUGHPUT_BYTES);
  await api(url, "DELETE", "/proxies/bench-echo");
  await api(url, "DELETE", "/proxies/bench-sink");
  const cut = await measureCutSpread(url, CUT_ROUNDS);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return {
    label,
    rttP50: nearestRank(proxied, 50),
    rttP99: nearestRank(proxied, 99),
    addedP50: nearestRank(proxied, 50) - nearestRank(direct, 50),
    addedP99: nearestRank(proxied, 99) - nearestRank(direct, 99),
    // Toxiproxy's figure: total time of the round trips / (2 trips each).
    perTrip: sum(proxied) / (2 * proxied.length),
    plainMBs: plain.total,
    latencyMBs: delayed.total,
    latencySteadyMBs: delayed.steady,
    cut,
  };
}

async function startStandalone(): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "bin/failover-drill.js"), "toxiproxy", "--port", "0"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (output += text));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = performance.now() + 30_000;
  for (;;) {
    const match = /API listening on (http:\/\/\S+)/.exec(output);
    if (match !== null) {
      return {
        url: match[1]!,
        stop: async () => {
          child.kill("SIGTERM");
          return exited;
        },
      };
    }
    if (child.exitCode !== null || performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the standalone server did not start: ${output}`);
    }
    await sleep(50);
  }
}

// A bare Node pipe() proxy in its own process: the floor that process hops alone cost on this machine.
const BARE_PROXY = `
const net = require("node:net");
const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({ host: "127.0.0.1", port: Number(process.argv[1]), noDelay: true });
  client.pipe(upstream).on("error", () => {});
  upstream.pipe(client).on("error", () => {});
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
});
server.listen({ host: "127.0.0.1", port: 0 }, () => console.log(server.address().port));
process.on("SIGTERM", () => process.exit(0));
`;

async function bareProxyRoundTrips(echoPort: number): Promise<number[]> {
  const child = spawn(process.execPath, ["-e", BARE_PROXY, String(echoPort)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.setEncoding("utf8").once("data", (text: string) => resolve(Number(text.trim())));
      child.once("exit", () => reject(new Error("the bare proxy exited")));
    });
    await pingPong(port, 1_000);
    return await pingPong(port, ROUND_TRIPS);
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

function report(direct: number[], bare: number[], all: Figures[]): void {
  const mark = (ok: boolean): string => (ok ? "meets" : "MISSES");
  console.log(
    `\n## one embedded proxy on loopback (${ROUND_TRIPS} ping-pongs of 64 B; ${THROUGHPUT_BYTES / 1024 / 1024} MiB one way)`,
  );
  console.log(
    `direct (no proxy): round trip p50 ${us(nearestRank(direct, 50))}, p99 ${us(nearestRank(direct, 99))}`,
  );
  console.log(
    `bare Node pipe() proxy in its own process (the cost of the process hops alone): ` +
      `p50 ${us(nearestRank(bare, 50))}, p99 ${us(nearestRank(bare, 99))}`,
  );
  for (const f of all) {
    console.log(`\n### ${f.label}`);
    console.log(
      `round trip via proxy: p50 ${us(f.rttP50)}, p99 ${us(f.rttP99)}; added by the proxy: p50 ${us(f.addedP50)}, p99 ${us(f.addedP99)}`,
    );
    console.log(
      `average per proxied trip (Toxiproxy's measure): ${us(f.perTrip)} -> ${mark(f.perTrip < 0.3)} the < 300 us target`,
    );
    console.log(`throughput, no toxic: ${f.plainMBs.toFixed(0)} MB/s`);
    console.log(
      `throughput, ${LATENCY_TOXIC_MS} ms latency toxic: ${f.latencySteadyMBs.toFixed(0)} MB/s once flowing ` +
        `(${f.latencyMBs.toFixed(0)} MB/s counting the first ${LATENCY_TOXIC_MS} ms) -> ${mark(f.latencySteadyMBs >= 100)} the >= 100 MB/s target`,
    );
    console.log(describeCutSpread(f.cut));
  }
}

async function run(): Promise<void> {
  const up = await startUpstreams();
  await pingPong(up.echo, 1_000);
  const direct = await pingPong(up.echo, ROUND_TRIPS);
  const bare = await bareProxyRoundTrips(up.echo);
  const figures: Figures[] = [];

  const standalone = await startStandalone();
  try {
    figures.push(
      await measure("proxy in its own process (failover-drill toxiproxy)", standalone.url, up, direct),
    );
  } finally {
    const code = await standalone.stop();
    if (code !== 0) console.error(`the standalone server exited with ${code}`);
  }

  if (externalUrl !== undefined) {
    figures.push(await measure(`the server at ${externalUrl} (--toxiproxy-url)`, externalUrl, up, direct));
  }

  const embedded = await ToxiproxyServer.start();
  try {
    figures.push(
      await measure(
        "proxy in the load generator's process (shares its event loop)",
        embedded.url,
        up,
        direct,
      ),
    );
  } finally {
    await embedded.close();
  }
  report(direct, bare, figures);
}

try {
  await run();
} finally {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
}
