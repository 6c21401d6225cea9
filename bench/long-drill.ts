// Long drills: drills/region-outage.yaml at 400 writes/s for N minutes with the outage in the middle,
// run as a user runs it (`node bin/failover-drill.js run`, so dist/: `npm run build` first) with
// bench/memory-probe.js preloaded. Prints the runner's peak RSS and V8 heap, its memory at each tenth
// of the drill (flat = the history is not held in memory), and the time to analyse and write reports.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";

export interface LongDrillOptions {
  minutes: number;
  ratePerSecond: number;
  /** Keep the drill's reports and memory log (printed) instead of removing them. */
  keep?: boolean;
}

interface MemorySample {
  tMs: number;
  rss: number;
  liveHeap?: undefined;
  heapUsed: number;
  heapTotal: number;
  maxRss?: number;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const BIN = path.resolve(import.meta.dirname, "..", "bin", "failover-drill.js");
const PROBE = path.resolve(import.meta.dirname, "memory-probe.js");
const BASE_DRILL = path.resolve(import.meta.dirname, "..", "drills", "region-outage.yaml");

/** The baseline drill stretched to `minutes` at `rate`, its outage at the middle for 20 s-worth of it. */
async function longDrill(minutes: number, rate: number, dir: string): Promise<string> {
  const drill = parse(await readFile(BASE_DRILL, "utf8")) as Record<string, unknown>;
  const seconds = Math.round(minutes * 60);
  const workload = drill.workload as Record<string, unknown>;
  drill.name = `long-drill-${minutes}m`;
  drill.workload = { ...workload, rate: `${rate}/s`, duration: `${seconds}s` };
  drill.faults = [{ at: `${Math.round(seconds / 2)}s`, type: "region-outage", region: "us-east" }];
  const file = path.join(dir, `${drill.name as string}.yaml`);
  await writeFile(file, stringify(drill));
  return file;
}

async function runLong(o: LongDrillOptions): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "failover-drill-long-"));
  const memoryLog = path.join(dir, "memory.jsonl");
  const file = await longDrill(o.minutes, o.ratePerSecond, dir);
  const out = path.join(dir, "reports");
  console.log(`## ${o.minutes}-minute drill at ${o.ratePerSecond} writes/s (${file})`);
  const lines: string[] = [];
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--import", PROBE, BIN, "run", file, "--out", out], {
    env: { ...process.env, FAILOVER_DRILL_MEMORY_LOG: memoryLog },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Ctrl-C on the bench reaches the runner too (same process group); SIGTERM is passed on so the runner
  // heals and stops everything it started.
  const forward = (): void => void child.kill("SIGTERM");
  process.once("SIGTERM", forward);
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    lines.push(...parts);
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  process.off("SIGTERM", forward);
  const wallS = (performance.now() - t0) / 1000;
  try {
    const records = (await readFile(memoryLog, "utf8").catch(() => ""))
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as MemorySample | { tMs: number; liveHeap: number });
    const samples = records.filter((l): l is MemorySample => l.liveHeap === undefined);
    const live = records.flatMap((l) => (l.liveHeap === undefined ? [] : [l]));
    const msOf = (pattern: RegExp): string =>
      lines.map((l) => pattern.exec(l)?.[1]).find((x) => x !== undefined) ?? "?";
    const peakRss = samples.at(-1)?.maxRss ?? Math.max(...samples.map((s) => s.rss));
    const peakHeap = Math.max(...samples.map((s) => s.heapUsed));
    console.log(`exit code ${code}, wall ${wallS.toFixed(0)} s`);
    console.log(`peak RSS ${mb(peakRss)}, peak V8 heap used ${mb(peakHeap)} (sampled every 500 ms)`);
    console.log(
      `history analysed in ${msOf(/history analysed in (\d+) ms/)} ms, ` +
        `reports written in ${msOf(/reports written in (\d+) ms/)} ms`,
    );
    // Through the run, tenth by tenth: the highest RSS; and the heap each full collection left (what
    // the process really holds; heap used between collections only says how lazily V8 collects).
    const endMs = samples.at(-1)?.tMs ?? 0;
    const tenths = [...Array(10).keys()].map((i) =>
      samples.filter((s) => s.tMs >= (i * endMs) / 10 && s.tMs < ((i + 1) * endMs) / 10 + 1),
    );
    const highest = tenths.map((w) => (w.length === 0 ? "?" : mb(Math.max(...w.map((s) => s.rss)))));
    console.log(`RSS, highest in each tenth of the run: ${highest.join(", ")}`);
    const lowest = tenths.map((w) => (w.length === 0 ? "?" : mb(Math.min(...w.map((s) => s.heapUsed)))));
    console.log(`heap used, lowest in each tenth: ${lowest.join(", ")}`);
    const every = Math.max(1, Math.ceil(live.length / 12));
    console.log(
      live.length === 0
        ? "live heap: no full collection during the run"
        : `live heap after full collections (${live.length}, every ${every}th shown): ` +
            live
              .filter((_, i) => i % every === 0 || i === live.length - 1)
              .map((l) => `${(l.tMs / 1000).toFixed(0)} s ${mb(l.liveHeap)}`)
              .join(", "),
    );
    const runDir = await latestRun(out);
    if (runDir !== null) {
      const sizes = await Promise.all(
        ["history.jsonl", "report.json", "report.html", "report.md"].map(async (f) => {
          const size = await stat(path.join(runDir, f)).then(
            (s) => s.size,
            () => null,
          );
          return `${f} ${size === null ? "missing" : mb(size)}`;
        }),
      );
      console.log(sizes.join(", "));
      const summary = JSON.parse(await readFile(path.join(runDir, "report.json"), "utf8")) as {
        status: string;
        measurements: { throughput: { attempted: number; ok: number; achievedPerSecond: number } };
      };
      const t = summary.measurements.throughput;
      console.log(
        `status ${summary.status}: ${t.attempted} writes attempted, ${t.ok} acknowledged, ` +
          `${t.achievedPerSecond}/s achieved before the fault`,
      );
    }
    if (code !== 0 && code !== 1) console.log(lines.slice(-20).join("\n"));
  } finally {
    if (o.keep === true) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

async function latestRun(out: string): Promise<string | null> {
  for (const drill of await readdir(out).catch(() => [])) {
    const runs = (await readdir(path.join(out, drill)).catch(() => [])).filter((r) => r !== "index.jsonl");
    if (runs.length > 0) return path.join(out, drill, runs.sort().at(-1)!);
  }
  return null;
}

export async function longDrills(minutes: readonly number[], keep = false): Promise<void> {
  for (const m of minutes) await runLong({ minutes: m, ratePerSecond: 400, keep });
}
