// `npm run bench:startup`: how long `failover-drill --help` takes against a bare `node -e 0`, the
// median of interleaved runs, printed as a ratio (target: at most 5x). Printed, not asserted.
//   npm run bench:startup                  the clone's bin/failover-drill.js (dist/ as built)
//   npm run bench:startup -- --installed   also packed, installed in a temp dir and run from there
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { packAndInstall, PROJECT_ROOT } from "../scripts/pack-install.ts";

const RUNS = 20;

function wallMs(command: string, args: string[]): number {
  const start = performance.now();
  const { status } = spawnSync(command, args, { stdio: "ignore" });
  if (status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${status}`);
  return performance.now() - start;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Interleaved, so a load spike on a shared machine hits both sides alike. */
function compare(label: string, bin: string): void {
  const bare: number[] = [];
  const help: number[] = [];
  wallMs(bin, ["--help"]); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    bare.push(wallMs(process.execPath, ["-e", "0"]));
    help.push(wallMs(bin, ["--help"]));
  }
  const ratio = median(help) / median(bare);
  console.log(
    `${label}: failover-drill --help ${median(help).toFixed(0)} ms, node -e 0 ${median(bare).toFixed(0)} ms ` +
      `(medians of ${RUNS}): ratio ${ratio.toFixed(2)} (target <= 5)`,
  );
}

compare("clone", path.join(PROJECT_ROOT, "bin/failover-drill.js"));
if (process.argv.includes("--installed")) {
  const work = await mkdtemp(path.join(os.tmpdir(), "failover-drill-startup-"));
  try {
    const { dir } = await packAndInstall(work, { build: true });
    compare("packed and installed", path.join(dir, "node_modules/.bin/failover-drill"));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
