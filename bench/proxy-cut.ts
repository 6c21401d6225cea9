// How far apart the cuts of a region outage land. A region outage disables the four proxies of a
// region's links in a two-region drill, replication first (src/faults/region-outage.ts); what a
// latency toxic holds is dropped at its own proxy's cut, and writes acknowledged between the
// replication cut and the last cut count as lost too. Measured as the proxied connections see it
// (the FIN of each), for the region-outage fault itself and, for comparison, for four disables sent
// in parallel (docs/toxiproxy.md, "Bytes in flight").
import net from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { nearestRank } from "../src/checkers/availability.ts";
import { MonotonicClock } from "../src/clock.ts";
import { HistoryRecorder } from "../src/history/recorder.ts";
import { injectFault } from "../src/nemesis/nemesis.ts";
import { ProxyControl } from "../src/toxiproxy/client.ts";
import type { LinkInfo, TopologyLayout } from "../src/topology/topology.ts";
import { sleep } from "../src/util/abort.ts";

export interface CutSpread {
  /** Region outage: from the fault's start to the replication link's cut (ms), per round. */
  toReplicationCut: number[];
  /** Region outage: from the replication link's cut to the last other cut (ms), per round. */
  replicationToLast: number[];
  /** Four disables sent together: from the first cut to the last (ms), per round. */
  parallelSpread: number[];
}

const LINKS: Array<[string, LinkInfo["kind"], string, string]> = [
  ["east.client", "client", "clients", "east"],
  ["east.app-db", "app-db", "east", "east"],
  ["west.replication.east", "replication", "west", "east"],
  ["east.replication.west", "replication", "east", "west"],
];
const REPLICATION = "west.replication.east";

/** A region's four links on the server at `url`, each carrying a trickle; the FIN time of each. */
async function regionLinks(
  control: ProxyControl,
  upstreamPort: number,
  sockets: Set<Socket>,
): Promise<{ layout: TopologyLayout; fins: Map<string, number> }> {
  const fins = new Map<string, number>();
  const links: LinkInfo[] = [];
  for (const [proxy, kind, from, to] of LINKS) {
    const created = await control.createProxy({
      name: proxy,
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${upstreamPort}`,
    });
    const port = Number(created.listen.split(":").pop());
    links.push({
      proxy,
      kind,
      from,
      to,
      listen: { host: "127.0.0.1", port },
      upstream: { host: "127.0.0.1", port: upstreamPort },
    });
    const client = net.connect({ host: "127.0.0.1", port });
    sockets.add(client);
    client.on("error", () => {});
    client.on("data", () => {});
    client.on("close", () => fins.set(proxy, performance.now()));
  }
  const regions = ["east", "west"].map((name, i) => ({
    name,
    role: i === 0 ? ("primary" as const) : ("standby" as const),
    address: "127.0.0.1",
    dbPort: 0,
    appPort: 0,
  }));
  await sleep(50);
  return { layout: { regions, servicePort: 0, links }, fins };
}

async function finsOf(fins: Map<string, number>): Promise<number[]> {
  while (fins.size < LINKS.length) await sleep(1);
  return [...fins.values()];
}

/** `rounds` region outages and `rounds` parallel disables against the server at `url`. */
export async function measureCutSpread(url: string, rounds: number): Promise<CutSpread> {
  const sockets = new Set<Socket>();
  const upstream = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    const timer = setInterval(() => socket.write("x"), 5);
    socket.on("close", () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => upstream.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const control = new ProxyControl(url);
  const result: CutSpread = { toReplicationCut: [], replicationToLast: [], parallelSpread: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      const { layout, fins } = await regionLinks(control, upstreamPort, sockets);
      const history = new HistoryRecorder(new MonotonicClock());
      const topology = { proxies: control, layout, injectRegionOutage: async () => async () => {} };
      const started = performance.now();
      const outage = await injectFault(
        { type: "region-outage", atMs: 0, region: "east", mode: "network" },
        0,
        {
          topology,
          history,
        },
      );
      const all = await finsOf(fins);
      const replicationCut = fins.get(REPLICATION)!;
      result.toReplicationCut.push(replicationCut - started);
      result.replicationToLast.push(Math.max(...all) - replicationCut);
      await outage.heal();
      await history.close();
      await control.deleteAll();

      const parallel = await regionLinks(control, upstreamPort, sockets);
      await Promise.all(LINKS.map(([proxy]) => control.disable(proxy, "bench")));
      const cuts = await finsOf(parallel.fins);
      result.parallelSpread.push(Math.max(...cuts) - Math.min(...cuts));
      await control.deleteAll();
    }
  } finally {
    await control.deleteAll();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => upstream.close(resolve));
  }
  return result;
}

export function describeCutSpread(cut: CutSpread): string {
  const figures = (xs: number[]): string =>
    `p50 ${nearestRank(xs, 50).toFixed(1)} ms, p90 ${nearestRank(xs, 90).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  return [
    `region outage (${cut.toReplicationCut.length} rounds): fault start -> replication cut ${figures(cut.toReplicationCut)}`,
    `  replication cut -> last app-db/client cut (acks in here count as lost) ${figures(cut.replicationToLast)}`,
    `four disables sent in parallel: first -> last cut ${figures(cut.parallelSpread)}`,
  ].join("\n");
}
