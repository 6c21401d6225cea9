// `npm run bench:charts`: what the charts cost a report, printed, not asserted. Synthetic region
// outages of growing length at 300 writes/s (200 clients; the fault a third of the way in, detection
// 3 s and promotion 0.4 s later, clients back 2-7 s after that; replication sampled every 200 ms):
// the size of report.json's `series`, of report.json and of report.html, and the time analyze() (of it,
// computing the series) and renderHtml() take. The latency plot's sampling keeps the page's size bounded however long the run.
import { performance } from "node:perf_hooks";
import { findFailover, findPrimaryOutage } from "../src/checkers/failover.ts";
import { indexHistory } from "../src/checkers/history.ts";
import { analyze } from "../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../src/checkers/history-builder.ts";
import { buildSeries } from "../src/checkers/series.ts";
import { Events, Processes } from "../src/history/types.ts";
import { renderHtml, renderJson } from "../src/report/index.ts";

const RATE = 300;
const CLIENTS = 200;
const EAST = "127.0.1.1";
const WEST = "127.0.2.1";

function outageHistory(seconds: number): ReturnType<HistoryBuilder["build"]> {
  const endMs = seconds * 1000;
  const faultMs = Math.round(endMs / 3);
  const downMs = faultMs + 3000;
  const writableMs = downMs + 400;
  const h = new HistoryBuilder()
    .runner(0, Events.topologyUp, {
      regions: [
        { name: "east", address: EAST, role: "primary" },
        { name: "west", address: WEST, role: "standby" },
      ],
    })
    .runner(100, Events.workloadStart)
    .faultStart(0, faultMs, faultMs + 4, { type: "region-outage", region: "east", description: "outage" })
    .controller(downMs, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
    .controller(writableMs, Events.writable, { region: "west" })
    .controller(writableMs + 5, Events.dnsUpdate, { name: "db.drill.test", address: WEST, region: "west" })
    .event(writableMs + 20, Processes.dnsMonitor, Events.authoritativeAnswer, { address: WEST, ttlMs: 5000 });
  for (let t = 200; t < faultMs; t += 200) {
    h.event(t, Processes.dbMonitor, Events.replicationSample, {
      primary: "east",
      standbys: [
        { name: "west", state: "streaming", replayLagMs: 40 + (t % 7), replayLagBytes: 2000 + (t % 900) },
      ],
      nodes: [],
      sampleMs: 200,
    });
  }
  const intervalMs = (CLIENTS * 1000) / RATE;
  let id = 1;
  for (let c = 0; c < CLIENTS; c++) {
    const backMs = writableMs + 2000 + ((c * 37) % 5000);
    for (let t = 100 + (c * intervalMs) / CLIENTS; t < endMs; t += intervalMs) {
      const latency = 2 + ((id * 7919) % 400) / 10;
      if (t < faultMs) h.write(c, id, t, "ok", t + latency, "east");
      else if (t < backMs) h.write(c, id, t, "fail", t + 1, "ECONNREFUSED");
      else h.write(c, id, t, "ok", t + latency, "west");
      id++;
    }
  }
  return h.runner(endMs, Events.workloadEnd).build();
}

const kb = (s: string): string => `${(Buffer.byteLength(s) / 1024).toFixed(0)} KiB`;

console.log("run    writes   series    report.json  report.html    analyze  (series)  renderHtml");
for (const seconds of [30, 300, 1800]) {
  const history = outageHistory(seconds);
  const drill = sampleDrill({
    workload: {
      ...sampleDrill().workload,
      clients: CLIENTS,
      ratePerSecond: RATE,
      durationMs: seconds * 1000,
    },
  });
  let t0 = performance.now();
  const summary = analyze({ drill, history, finalReads: [], startedAt: "2026-01-01T00:00:00.000Z" });
  const analyzeMs = performance.now() - t0;
  // The series alone, on an index built outside the timing (analyze() builds the same one once).
  const index = indexHistory(drill, history);
  const outage = findPrimaryOutage(index).fault;
  const context = {
    drill,
    index,
    finalReads: [],
    outage,
    failover: findFailover(index, outage),
    survivingPrimary: null,
  };
  t0 = performance.now();
  buildSeries(context, summary.measurements);
  const seriesMs = performance.now() - t0;
  t0 = performance.now();
  const html = renderHtml(summary);
  const renderMs = performance.now() - t0;
  const writes = summary.series?.latency.total ?? 0;
  console.log(
    [
      `${seconds} s`.padEnd(6),
      String(writes).padStart(7),
      kb(JSON.stringify(summary.series)).padStart(9),
      kb(renderJson(summary)).padStart(12),
      kb(html).padStart(12),
      `${analyzeMs.toFixed(0)} ms`.padStart(10),
      `(${seriesMs.toFixed(0)} ms)`.padStart(9),
      `${renderMs.toFixed(0)} ms`.padStart(12),
    ].join("  "),
  );
}
