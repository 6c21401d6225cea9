// `npm run bench:workload`: what the client population costs the runner, printed, not asserted. The
// app is a bare HTTP server in a child process (its CPU is not the runner's), DNS is the embedded
// server; the runner's CPU (process.cpuUsage) is measured over the workload alone.
//   npm run bench:workload                 4 vs 1,000 clients at 400 writes/s, then the capacity grid
//   npm run bench:workload -- cost         only the first part
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { MonotonicClock } from "../src/clock.ts";
import { DnsServer } from "../src/dns/server.ts";
import { HistoryRecorder } from "../src/history/recorder.ts";
import type { ConnectionProfile, Mix, ResolverProfile } from "../src/workload/profiles.ts";
import { buildPopulation } from "../src/workload/population.ts";
import { runWorkload, type WorkloadStats } from "../src/workload/workload.ts";

const only = process.argv.slice(2);
const wanted = (name: string): boolean => only.length === 0 || only.includes(name);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

// The child: acknowledges every POST at once, as an app whose database is instantaneous would.
if (process.env.BENCH_ROLE === "app") {
  const http = await import("node:http");
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"region":"bench"}');
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () => process.send?.((server.address() as { port: number }).port));
} else {
  await main();
}

interface Case {
  clients: number;
  rate: number;
  resolver: Mix<ResolverProfile>;
  connections: Mix<ConnectionProfile>;
}

async function startApp(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL(import.meta.url).pathname, [], {
    env: { ...process.env, BENCH_ROLE: "app" },
    execArgv: ["--import", "tsx"],
  });
  const [port] = (await once(child, "message")) as [number];
  return { child, port };
}

async function measure(c: Case, port: number, dns: DnsServer): Promise<void> {
  const clock = new MonotonicClock();
  const history = new HistoryRecorder(clock);
  const population = buildPopulation({
    clients: c.clients,
    sites: ["a", "b"],
    resolver: c.resolver,
    connections: c.connections,
    seed: 1,
    ttlMs: 5000,
    fixedCacheMs: 30_000,
    maxConnectionAgeMs: 10_000,
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const stats: WorkloadStats = await runWorkload({
    population,
    ratePerSecond: c.rate,
    durationMs: SECONDS * 1000,
    requestTimeoutMs: 1000,
    serviceName: "api.drill.test",
    servicePort: port,
    dnsServer: { host: dns.host, port: dns.port },
    maxConnectionAgeMs: 10_000,
    history,
    clock,
  });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const invokes = new Map<number, number>();
  const latencies: number[] = [];
  for (const op of history.ops) {
    if (op.f !== "write") continue;
    const id = (op.value as { id: number }).id;
    if (op.type === "invoke") invokes.set(id, op.time);
    else if (op.type === "ok") latencies.push((op.time - invokes.get(id)!) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  const p = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? NaN;
  const mix = (m: Record<string, number | undefined>): string =>
    Object.entries(m)
      .map(([k, v]) => (v === 1 ? k : `${k} ${Math.round((v ?? 0) * 100)}%`))
      .join("+");
  console.log(
    `${String(c.clients).padStart(5)} clients ${String(c.rate).padStart(5)}/s ${mix(c.resolver)} / ${mix(c.connections)}: ` +
      `sent ${(stats.dispatched / wallS).toFixed(1)}/s (${stats.allBusy} slots all busy, ${stats.stalled} stalled), ` +
      `runner CPU ${((cpuS / wallS) * 100).toFixed(1)}% of a core, write p50 ${p(0.5).toFixed(2)} ms p99 ${p(0.99).toFixed(2)} ms`,
  );
}

async function main(): Promise<void> {
  const { child, port } = await startApp();
  const dns = await DnsServer.start();
  dns.setRecord("api.drill.test", "127.0.0.1", 5000);
  const plain = { resolver: { ttl: 1 }, connections: { "keep-alive": 1 } } as const;
  const fleet = {
    resolver: { shared: 0.5, ttl: 0.3, none: 0.2 },
    connections: { "keep-alive": 0.5, "max-age": 0.5 },
  } as const;
  try {
    if (wanted("cost")) {
      console.log(`## runner CPU of the workload, ${SECONDS} s each (app in a child process)`);
      for (const c of [
        { clients: 4, rate: 400, ...plain },
        { clients: 1000, rate: 400, ...plain },
        { clients: 1000, rate: 400, ...fleet },
        { clients: 200, rate: 400, ...fleet },
      ])
        await measure(c, port, dns);
    }
    if (wanted("capacity")) {
      console.log("## capacity: clients x rate the engine sends on time (fleet mix)");
      for (const c of [
        { clients: 1000, rate: 1000 },
        { clients: 1000, rate: 2000 },
        { clients: 5000, rate: 1000 },
        { clients: 5000, rate: 2000 },
        { clients: 5000, rate: 3000 },
      ])
        await measure({ ...c, ...fleet }, port, dns);
    }
  } finally {
    await dns.close();
    child.kill();
  }
}
