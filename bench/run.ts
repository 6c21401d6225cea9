// `npm run bench`: figures for this machine, printed, not asserted (timed tests flake on noisy
// machines). Cold start and teardown of the local topology, sustained acknowledged writes/s through
// the proxies, and the proxy's added latency per hop.
import net from "node:net";
import { MonotonicClock } from "../src/clock.ts";
import { loadDrill } from "../src/drill/load.ts";
import type { Drill } from "../src/drill/types.ts";
import { HistoryRecorder } from "../src/history/recorder.ts";
import { LocalTopology } from "../src/topology/local.ts";
import { ProxyControl, startToxiproxy } from "../src/toxiproxy/client.ts";
import { runWorkload } from "../src/workload/workload.ts";
import { longDrills } from "./long-drill.ts";

// `npm run bench -- [startup|throughput|proxy|long]... [--minutes N]... [--keep]`; --minutes alone
// runs only the long drill of those minutes (default 1 and 10).
const args = process.argv.slice(2);
const minutes = args.flatMap((a, i) => (args[i - 1] === "--minutes" ? [Number(a)] : []));
if (minutes.some((m) => !(m > 0))) throw new Error("--minutes expects a number of minutes above 0");
const only = args.filter((a, i) => a !== "--minutes" && args[i - 1] !== "--minutes" && a !== "--keep");
if (minutes.length > 0 && only.length === 0) only.push("long");
const wanted = (name: string): boolean => only.length === 0 || only.includes(name);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const fmt = (n: number): string => n.toFixed(n < 10 ? 2 : 0);

async function startup(drill: Drill): Promise<void> {
  console.log(
    "## topology cold start / teardown (2 regions, postgres primary + standby, 2 apps, 5 proxies, DNS)",
  );
  for (let i = 1; i <= 4; i++) {
    const t0 = performance.now();
    const topo = await LocalTopology.start(drill);
    const up = performance.now() - t0;
    if (i === 1) console.log(`${topo.layout.links.length} proxies`);
    const t1 = performance.now();
    await topo.dispose();
    const down = performance.now() - t1;
    console.log(
      `run ${i}: up ${fmt(up)} ms, down ${fmt(down)} ms${i === 1 ? " (first run may fill the initdb cache)" : ""}`,
    );
  }
}

async function throughput(drill: Drill, clients: number, seconds: number): Promise<void> {
  console.log(
    `## sustained acknowledged writes (${clients} clients, unthrottled, ${seconds}s, client->proxy->app->proxy->postgres)`,
  );
  const topo = await LocalTopology.start(drill);
  try {
    const clock = new MonotonicClock();
    const history = new HistoryRecorder(clock);
    const t0 = performance.now();
    await runWorkload({
      clients,
      ratePerSecond: 1_000_000,
      durationMs: seconds * 1000,
      requestTimeoutMs: 2000,
      serviceName: drill.dns.name,
      servicePort: topo.layout.servicePort,
      dnsServer: topo.dns.endpoint,
      history,
      clock,
    });
    const elapsed = (performance.now() - t0) / 1000;
    const invokes = new Map<number, number>();
    const latencies: number[] = [];
    let ok = 0;
    let notOk = 0;
    for (const op of history.ops) {
      if (op.f !== "write") continue;
      const id = (op.value as { id: number }).id;
      if (op.type === "invoke") invokes.set(id, op.time);
      else if (op.type === "ok") {
        ok++;
        latencies.push((op.time - invokes.get(id)!) / 1e6);
      } else notOk++;
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `acked ${ok} writes in ${fmt(elapsed)} s = ${fmt(ok / elapsed)} acked writes/s (${notOk} not ok); ` +
        `write latency p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms`,
    );
  } finally {
    await topo.dispose();
  }
}

async function proxyHop(): Promise<void> {
  console.log("## proxy added latency per hop (TCP ping-pong of 64 bytes, 5000 round trips)");
  const echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  const echoPort = (echo.address() as net.AddressInfo).port;
  const target = await startToxiproxy();
  const control = new ProxyControl(target.url);
  try {
    const proxy = await control.createProxy({
      name: "bench",
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${echoPort}`,
    });
    const proxyPort = Number(proxy.listen.split(":").pop());
    const direct = await pingPong(echoPort, 5000);
    const proxied = await pingPong(proxyPort, 5000);
    console.log(`direct: p50 ${fmt(direct.p50)} us, p99 ${fmt(direct.p99)} us`);
    console.log(`through proxy (${target.kind}): p50 ${fmt(proxied.p50)} us, p99 ${fmt(proxied.p99)} us`);
    console.log(
      `added per hop: p50 ${fmt(proxied.p50 - direct.p50)} us, p99 ${fmt(proxied.p99 - direct.p99)} us, ` +
        `mean ${fmt(proxied.mean - direct.mean)} us`,
    );
  } finally {
    await control.deleteAll();
    await target.close();
    echo.close();
  }
}

async function pingPong(port: number, rounds: number): Promise<{ p50: number; p99: number; mean: number }> {
  const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
  await new Promise<void>((r) => socket.once("connect", () => r()));
  const payload = Buffer.alloc(64, 7);
  const samples: number[] = [];
  for (let i = 0; i < rounds + 200; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      let got = 0;
      const onData = (d: Buffer): void => {
        got += d.length;
        if (got >= payload.length) {
          socket.off("data", onData);
          resolve();
        }
      };
      socket.on("data", onData);
      socket.write(payload);
    });
    // The first 200 warm up the JIT and the connection.
    if (i >= 200) samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  socket.destroy();
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
  };
}

const drill = await loadDrill("drills/region-outage.yaml");
const quiet = { ...drill, faults: [] };
if (wanted("startup")) await startup(quiet);
if (wanted("throughput")) await throughput(quiet, 16, 10);
if (wanted("proxy")) await proxyHop();
if (wanted("long")) await longDrills(minutes.length > 0 ? minutes : [1, 10], args.includes("--keep"));
