// `npm run bench:lifeline`: what the lifeline costs a run. Prints, asserts nothing:
// - the leftover check `run` makes at start (findLeftovers: /proc environments, the workspace
//   directory, docker when configured), median of 5;
// - a reaper's start until it reads its pipe and its exit after `done` (compiled dist/), median of 5.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { findLeftovers } from "../src/lifeline/leftovers.ts";
import { reaperLaunchArgs } from "../src/lifeline/lifeline.ts";
import { defaultWorkspaceParent } from "../src/platform/workspace.ts";

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function leftoverCheckMs(): Promise<number> {
  const t0 = performance.now();
  await findLeftovers({ workdirs: [await defaultWorkspaceParent()], dockerTimeoutMs: 3000 });
  return performance.now() - t0;
}

/** Spawn to exit of a reaper that is told `done` at once: its whole cost on a normal run. */
async function reaperRoundTripMs(): Promise<number> {
  const dist = new URL("../dist/src/lifeline/lifeline.js", import.meta.url).href;
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [...reaperLaunchArgs(dist), "bench-run", String(process.pid), "-", "no-keep"],
    {
      stdio: ["pipe", "ignore", "ignore"],
    },
  );
  child.stdin.end("done\n");
  await new Promise((resolve) => child.once("exit", resolve));
  return performance.now() - t0;
}

const checks: number[] = [];
const reapers: number[] = [];
for (let i = 0; i < 5; i++) {
  checks.push(await leftoverCheckMs());
  reapers.push(await reaperRoundTripMs());
}
console.log(
  `leftover check at run start: median ${median(checks).toFixed(0)} ms (${checks.map((x) => x.toFixed(0)).join(", ")})`,
);
console.log(
  `reaper spawn to exit on done: median ${median(reapers).toFixed(0)} ms (${reapers.map((x) => x.toFixed(0)).join(", ")})`,
);
