// Known answers for the client population, over real DNS packets and real HTTP: two sites, each behind
// its own shared recursive resolver, whose cached answers are set to expire just before and just after
// the DNS switch. Clients behind the first re-fetch the old address and keep it a whole TTL; clients
// behind the second get the new one at once. The split must be exactly the sites.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { MonotonicClock } from "../../src/clock.ts";
import { DnsServer } from "../../src/dns/server.ts";
import { HistoryRecorder } from "../../src/history/recorder.ts";
import { Events } from "../../src/history/types.ts";
import { freePortOnAll, regionAddress } from "../../src/platform/ports.ts";
import { buildPopulation } from "../../src/workload/population.ts";
import { runWorkload } from "../../src/workload/workload.ts";

const OLD = regionAddress(0);
const NEW = regionAddress(1);
const TTL_MS = 4000;
const FAULT_MS = 2000;
const SWITCH_MS = 3000;

function startApp(host: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end(JSON.stringify({ region: host })));
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

describe("a client population behind shared resolvers (integration)", function () {
  this.timeout(30_000);

  it("splits recovery exactly by which shared resolver expired before and which after the DNS switch", async () => {
    const dns = await DnsServer.start();
    const port = await freePortOnAll([OLD, NEW]);
    const [oldApp, newApp] = await Promise.all([startApp(OLD, port), startApp(NEW, port)]);
    try {
      dns.setRecord("api.drill.test", OLD, TTL_MS);
      const population = buildPopulation({
        clients: 20,
        sites: ["early", "late"],
        resolver: { shared: 1 },
        connections: { "per-request": 1 },
        seed: 7,
        ttlMs: TTL_MS,
        fixedCacheMs: 0,
        maxConnectionAgeMs: 0,
      });
      // early: its answer expires 200 ms before the switch, so it re-fetches the old address and keeps
      // it a whole TTL; late: 200 ms after, so it fetches the new one.
      population.sharedResolvers = [
        { site: "early", cacheAgeMs: TTL_MS - (SWITCH_MS - 200) },
        { site: "late", cacheAgeMs: TTL_MS - (SWITCH_MS + 200) },
      ];
      const clock = new MonotonicClock();
      const history = new HistoryRecorder(clock);
      const fault = setTimeout(() => {
        oldApp.close();
        oldApp.closeAllConnections();
      }, FAULT_MS);
      const switchDns = setTimeout(() => dns.setRecord("api.drill.test", NEW, TTL_MS), SWITCH_MS);
      await runWorkload({
        population,
        ratePerSecond: 200,
        durationMs: 8000,
        requestTimeoutMs: 500,
        serviceName: "api.drill.test",
        servicePort: (newApp.address() as AddressInfo).port,
        dnsServer: { host: dns.host, port: dns.port },
        history,
        clock,
      });
      clearTimeout(fault);
      clearTimeout(switchDns);

      // Each client's first acknowledged write invoked after the fault, in ms since the workload began.
      const start = history.ops.find((op) => op.f === Events.population)!.time;
      const invoked = new Map<number, number>();
      const recovered = new Map<number, number>();
      for (const op of history.ops) {
        if (op.f !== Events.write || typeof op.process !== "number") continue;
        const id = (op.value as { id: number }).id;
        const ms = (op.time - start) / 1e6;
        if (op.type === "invoke") invoked.set(id, ms);
        else if (op.type === "ok" && invoked.get(id)! > FAULT_MS + 50 && !recovered.has(op.process))
          recovered.set(op.process, ms);
      }
      const site = (client: number): string => population.clients[client]!.site;
      const early = population.clients.filter((c) => site(c.client) === "early").map((c) => c.client);
      const late = population.clients.filter((c) => site(c.client) === "late").map((c) => c.client);
      assert.deepEqual([early.length, late.length], [10, 10]);
      // late: recovered within a few write intervals of its resolver's refresh, 200 ms after the switch.
      for (const client of late) {
        const at = recovered.get(client);
        assert.ok(
          at !== undefined && at >= SWITCH_MS + 150 && at < SWITCH_MS + 900,
          `late client ${client} at ${at}`,
        );
      }
      // early: only after the old answer it re-fetched at 2.8 s has expired, a TTL later.
      for (const client of early) {
        const at = recovered.get(client);
        const refreshMs = SWITCH_MS - 200 + TTL_MS;
        assert.ok(
          at !== undefined && at >= refreshMs - 50 && at < refreshMs + 700,
          `early client ${client} at ${at}`,
        );
      }
      // And they resolved through their site's resolver: once the late one refreshed (3.2 s), only the
      // early clients were still handed the old address.
      const oldAfterSwitch = new Set(
        history.ops
          .filter((op) => op.f === Events.resolve && (op.value as { address: string }).address === OLD)
          .filter((op) => (op.time - start) / 1e6 > SWITCH_MS + 250)
          .map((op) => op.process as number),
      );
      assert.deepEqual(
        [...oldAfterSwitch].sort((a, b) => a - b),
        early.sort((a, b) => a - b),
      );
    } finally {
      oldApp.close();
      newApp.close();
      oldApp.closeAllConnections();
      newApp.closeAllConnections();
      await dns.close();
    }
  });
});
