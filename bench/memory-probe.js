// Preloaded into a runner by the long-drill bench (`node --import ./bench/memory-probe.js ...`):
// appends the process's memory to $FAILOVER_DRILL_MEMORY_LOG every 500 ms, one JSON line each, the
// heap left after each full (mark-compact) collection as `liveHeap` (what the process really holds),
// and its peak RSS (getrusage: exact, unlike the samples) at exit. A no-op without the variable.
import { appendFileSync } from "node:fs";
import { constants, performance, PerformanceObserver } from "node:perf_hooks";
import { setInterval, setTimeout } from "node:timers";
import { writeHeapSnapshot } from "node:v8";

const file = process.env.FAILOVER_DRILL_MEMORY_LOG;
if (file !== undefined && file !== "") {
  const t0 = performance.now();
  const tMs = () => Math.round(performance.now() - t0);
  const sample = (final) => {
    const m = process.memoryUsage();
    const line = {
      tMs: tMs(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      ...(final ? { maxRss: process.resourceUsage().maxRSS * 1024 } : {}),
    };
    appendFileSync(file, JSON.stringify(line) + "\n");
  };
  setInterval(() => sample(false), 500).unref();
  process.on("exit", () => sample(true));
  // Reported just after the collection, before much can be allocated again.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        appendFileSync(file, JSON.stringify({ tMs: tMs(), liveHeap: process.memoryUsage().heapUsed }) + "\n");
  }).observe({ entryTypes: ["gc"] });
  // To see what a grown heap holds: FAILOVER_DRILL_HEAP_SNAPSHOT_AT=<seconds> writes one beside the log.
  const at = Number(process.env.FAILOVER_DRILL_HEAP_SNAPSHOT_AT);
  if (at > 0) setTimeout(() => writeHeapSnapshot(`${file}.heapsnapshot`), at * 1000).unref();
}
