// Packs this project with `npm pack` and installs the tarball into an empty directory, as a user
// would: for the package test and the startup benchmark. Uses npm's cache first (`npm ci` filled it).
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const PROJECT_ROOT = fileURLToPath(new URL("../", import.meta.url));

export interface PackedInstall {
  tarball: string;
  /** The directory the package is installed in; its node_modules/.bin has failover-drill. */
  dir: string;
}

/**
 * `npm pack` into `<work>/pack`, then `npm install <tarball>` in `<work>/install`. `build: false`
 * packs dist/ as it is (npm pack --ignore-scripts), when the caller knows it is fresh.
 */
export async function packAndInstall(work: string, options: { build: boolean }): Promise<PackedInstall> {
  const packDir = path.join(work, "pack");
  const dir = path.join(work, "install");
  await mkdir(packDir, { recursive: true });
  await mkdir(dir, { recursive: true });
  const scripts = options.build ? [] : ["--ignore-scripts"];
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", packDir, ...scripts], {
    cwd: PROJECT_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  if (packed === undefined) throw new Error(`npm pack printed no package: ${stdout}`);
  const tarball = path.join(packDir, packed.filename);
  // An empty project of its own, so npm does not walk up to an enclosing one.
  await writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "try-failover-drill", private: true }),
  );
  await run("npm", ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund"], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { tarball, dir };
}
