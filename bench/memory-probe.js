// Preloaded into a runner by the long-drill bench (`node --import ./bench/memory-probe.js ...`):
// appends the process's memory to $FAILOVER_DRILL_MEMORY_LOG every 500 ms, one JSON line each, and
// its peak RSS (getrusage: exact, unlike the samples) at exit. A no-op without the variable.
import { appendFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setInterval } from "node:timers";

const file = process.env.FAILOVER_DRILL_MEMORY_LOG;
if (file !== undefined && file !== "") {
  const t0 = performance.now();
  const sample = (final) => {
    const m = process.memoryUsage();
    const line = {
      tMs: Math.round(performance.now() - t0),
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
}
