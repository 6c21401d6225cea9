// Mocha global setup: tests that spawn bin/failover-drill.js run the compiled CLI in dist/, so dist/
// is rebuilt first whenever a source it is built from is newer than the last build. Costs a few
// milliseconds when nothing changed.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../", import.meta.url));
const stamp = path.join(root, "dist/tsconfig.build.tsbuildinfo");
const inputs = ["src", "fixtures/app", "tsconfig.json", "tsconfig.build.json"];

function newestMtimeMs(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(target).map((name) => newestMtimeMs(path.join(target, name))));
}

export function distIsStale(): boolean {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => newestMtimeMs(path.join(root, input)) > built);
}

export async function mochaGlobalSetup(): Promise<void> {
  if (!distIsStale()) return;
  process.stderr.write("sources changed since dist/ was built: npm run build ...\n");
  const tsc = path.join(root, "node_modules/typescript/bin/tsc");
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root });
  } catch (err) {
    // tsc still emits JavaScript for code with type errors; `npm run typecheck` is where they fail.
    const { stdout } = err as { stdout?: string };
    process.stderr.write(`dist/ rebuilt with type errors:\n${stdout ?? String(err)}\n`);
  }
  // tsc leaves its build info alone when no output changed (e.g. a touched file): mark the build.
  const now = new Date();
  if (existsSync(stamp)) utimesSync(stamp, now, now);
}
