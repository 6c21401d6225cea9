// What a region outage does to bytes in flight on the local platform: its links are cut the way
// Toxiproxy 2.12 cuts them (measured in test/conformance/inflight.test.ts), so what the inter-region
// latency toxic still holds never reaches the other region. First on a stand-in replication stream
// through the embedded server, then end to end: a drill with a long inter-region latency loses the
// writes acknowledged within that latency before the outage.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { MonotonicClock } from "../../src/clock.ts";
import type { NemesisTopology } from "../../src/faults/kind.ts";
import { HistoryRecorder, parseHistory } from "../../src/history/recorder.ts";
import { injectFault } from "../../src/nemesis/nemesis.ts";
import { runDrill } from "../../src/runner/runner.ts";
import { ProxyControl } from "../../src/toxiproxy/client.ts";
import { ToxiproxyServer } from "../../src/toxiproxy/server.ts";
import { addInterRegionLatency } from "../../src/topology/base.ts";
import type { LinkInfo, TopologyLayout } from "../../src/topology/topology.ts";
import { sleep } from "../../src/util/abort.ts";
import { shortOutageDrill } from "./short-drill.ts";

/** One-way inter-region latency: long enough to tell "at the cut" from "one latency later". */
const LATENCY_MS = 200;
/** The stand-in primary sends one WAL record this often. */
const RECORD_EVERY_MS = 5;
const RECORD_BYTES = 8;

/** A ProxyControl that records when each disable starts and ends. */
class RecordingControl extends ProxyControl {
  readonly steps: string[] = [];
  override async disable(name: string, reason: string): Promise<void> {
    this.steps.push(`start ${name}`);
    await super.disable(name, reason);
    this.steps.push(`done ${name}`);
  }
}

describe("bytes in flight through a region outage on the local platform (integration)", function () {
  this.timeout(60_000);

  describe("a stand-in replication stream through the embedded server", () => {
    let toxiproxy: ToxiproxyServer;
    let primary: Server;
    const sockets = new Set<Socket>();
    /** Send time (performance.now()) of every record the stand-in primary wrote, in order. */
    let sent: number[];
    let control: RecordingControl;
    let topology: NemesisTopology;

    const link = (proxy: string, kind: LinkInfo["kind"], from: string, to: string): LinkInfo => ({
      proxy,
      kind,
      from,
      to,
      listen: { host: "127.0.0.1", port: 0 },
      upstream: { host: "127.0.0.1", port: (primary.address() as AddressInfo).port },
    });

    before(async () => {
      toxiproxy = await ToxiproxyServer.start();
      // The primary's walsender: streams a record every few ms to whoever connects.
      primary = net.createServer({ noDelay: true }, (socket) => {
        sockets.add(socket);
        socket.on("error", () => {});
        const timer = setInterval(() => {
          const record = Buffer.alloc(RECORD_BYTES);
          record.writeUInt32LE(sent.length);
          sent.push(performance.now());
          socket.write(record);
        }, RECORD_EVERY_MS);
        socket.on("close", () => clearInterval(timer));
      });
      await new Promise<void>((resolve) => primary.listen({ host: "127.0.0.1", port: 0 }, resolve));
    });

    after(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => primary.close(() => resolve()));
      await toxiproxy.close();
    });

    beforeEach(async () => {
      sent = [];
      control = new RecordingControl(toxiproxy.url);
      const links = [
        link("east.client", "client", "clients", "east"),
        link("east.app-db", "app-db", "east", "east"),
        link("west.client", "client", "clients", "west"),
        link("west.replication.east", "replication", "west", "east"),
      ];
      for (const l of links) {
        const created = await control.createProxy({
          name: l.proxy,
          listen: "127.0.0.1:0",
          upstream: `${l.upstream.host}:${l.upstream.port}`,
        });
        l.listen.port = Number(created.listen.split(":").pop());
      }
      const layout: TopologyLayout = {
        regions: [
          { name: "east", role: "primary", address: "127.0.0.1", dbPort: 0, appPort: 0 },
          { name: "west", role: "standby", address: "127.0.0.1", dbPort: 0, appPort: 0 },
        ],
        servicePort: 0,
        links,
      };
      await addInterRegionLatency(control, layout, { interRegionLatencyMs: LATENCY_MS, pairs: [] });
      topology = { proxies: control, layout, injectRegionOutage: async () => async () => {} };
    });

    afterEach(async () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await control.deleteAll();
    });

    it("delivers to the standby only the records sent at least one latency before the cut, and ends its stream with FIN", async () => {
      const standbyPort = topology.layout.links.find((l) => l.kind === "replication")!.listen.port;
      const standby = net.connect({ host: "127.0.0.1", port: standbyPort, noDelay: true });
      sockets.add(standby);
      let received = 0;
      let finAt: number | undefined;
      let error: string | undefined;
      standby.on("data", (chunk: Buffer) => (received += chunk.length));
      standby.on("end", () => (finAt = performance.now()));
      standby.on("error", (err: NodeJS.ErrnoException) => (error = err.code));
      await sleep(3 * LATENCY_MS);

      const history = new HistoryRecorder(new MonotonicClock());
      const cutFrom = performance.now();
      const outage = await injectFault({ type: "region-outage", atMs: 0, region: "east", mode: "kill" }, 0, {
        topology,
        history,
      });
      const deadline = performance.now() + 5_000;
      while (finAt === undefined && error === undefined && performance.now() < deadline) await sleep(5);
      await sleep(LATENCY_MS + 50);
      await outage.heal();
      await history.close();

      assert.equal(error, undefined, "the standby's stream ended with FIN, not a reset");
      assert.ok(finAt !== undefined, "the standby's stream ended");
      const records = received / RECORD_BYTES;
      // Due before the cut began: delivered. Due after the standby saw the cut: never delivered.
      const fin = finAt;
      const dueBeforeCut = sent.filter((t) => t + LATENCY_MS <= cutFrom - 10).length;
      const dueBeforeFin = sent.filter((t) => t + LATENCY_MS <= fin + 10).length;
      const held = sent.length - records;
      console.log(
        `      figures: ${sent.length} records sent, ${records} delivered, ${held} held by the latency toxic and dropped; cut took ${(fin - cutFrom).toFixed(1)} ms`,
      );
      assert.ok(
        records >= dueBeforeCut && records <= dueBeforeFin,
        `delivered ${records}, due before the cut ${dueBeforeCut}, due before the standby's FIN ${dueBeforeFin}`,
      );
      assert.ok(held >= (LATENCY_MS - 50) / RECORD_EVERY_MS, `only ${held} records were in flight`);
    });

    it("cuts the region's replication links before its app-db and client links", async () => {
      const history = new HistoryRecorder(new MonotonicClock());
      const outage = await injectFault({ type: "region-outage", atMs: 0, region: "east", mode: "kill" }, 0, {
        topology,
        history,
      });
      await outage.heal();
      await history.close();
      const steps = control.steps;
      assert.deepEqual(
        steps.filter((s) => s.startsWith("start")).sort(),
        ["start east.app-db", "start east.client", "start west.replication.east"],
        "exactly the links touching east are cut",
      );
      const replicationDone = steps.indexOf("done west.replication.east");
      assert.ok(replicationDone < steps.indexOf("start east.app-db"), steps.join(", "));
      assert.ok(replicationDone < steps.indexOf("start east.client"), steps.join(", "));
    });
  });

  describe("a drill with a 200 ms inter-region latency (known answer)", () => {
    let out: string;
    before(async () => {
      out = await mkdtemp(path.join(os.tmpdir(), "drill-inflight-"));
    });
    after(async () => {
      await rm(out, { recursive: true, force: true });
    });

    it("loses the writes acknowledged within one latency before a region outage, and none much older", async function () {
      this.timeout(120_000);
      const drill = shortOutageDrill("outage-inflight", "kill");
      drill.network = { interRegionLatencyMs: LATENCY_MS, pairs: [] };
      const result = await runDrill(drill, { out });
      const history = parseHistory(await readFile(path.join(result.reportDir, "history.jsonl"), "utf8"));
      const outage = history.find((o) => o.f === "fault-start" && o.type === "invoke");
      const cut = history.find((o) => o.f === "fault-start" && o.type === "ok");
      assert.ok(outage && cut);
      const ms = 1e6;
      const acked = (fromNs: number, toNs: number): number =>
        history.filter((o) => o.f === "write" && o.type === "ok" && o.time > fromNs && o.time <= toNs).length;
      const { lostWrites, lostWindowMs } = result.summary.measurements.rpo;
      assert.ok(lostWrites !== null && lostWindowMs !== null);
      // Acked less than a latency before the outage (its links are cut within ~100 ms of the invoke):
      // the WAL was on the wire, so lost. Acked more than a latency plus the walsender's batching
      // before it: delivered. Nothing acked after the fault is in place came from the old primary.
      const surelyInFlight = acked(outage.time - (LATENCY_MS - 100) * ms, outage.time);
      const possiblyInFlight = acked(outage.time - (LATENCY_MS + 50) * ms, cut.time);
      console.log(
        `      figures: lost ${lostWrites} (window ${lostWindowMs} ms); acked in the last ${LATENCY_MS - 100} ms before the outage ${surelyInFlight}, from ${LATENCY_MS + 50} ms before until it was in place ${possiblyInFlight}`,
      );
      const slack = drill.workload.clients;
      assert.ok(
        lostWrites >= surelyInFlight - slack && lostWrites <= possiblyInFlight + slack,
        `lost ${lostWrites}; acked in the ${LATENCY_MS - 100} ms before the outage ${surelyInFlight}, from ${LATENCY_MS + 50} ms before until it was in place ${possiblyInFlight}`,
      );
      assert.ok(lostWindowMs >= LATENCY_MS / 2, `lost window ${lostWindowMs} ms`);
    });
  });
});
