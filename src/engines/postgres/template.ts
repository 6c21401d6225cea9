// Pristine data directories. initdb runs once per binary version; its result is cached under
// $XDG_CACHE_HOME/failover-drill (or ~/.cache/failover-drill) and copied for every node of later
// drills. Standbys are cold clones of the same pristine directory, which is how they share the
// primary's system identifier without pg_basebackup.
import { createHash } from "node:crypto";
import { access, mkdir, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { copyDirectory, type Workspace } from "../../platform/workspace.ts";
import { runCommand } from "../../platform/processes.ts";
import { unprivilegedUser } from "../../platform/user.ts";
import type { PostgresBinaries } from "./binaries.ts";

export class InitdbError extends Error {
  override name = "InitdbError";
}

export const INITDB_ARGS = [
  "-U",
  "postgres",
  "-A",
  "trust",
  "--no-sync",
  "--no-instructions",
  "-E",
  "UTF8",
  "--locale=C",
];

/** Bump when INITDB_ARGS or the meaning of a template changes, so old caches are not reused. */
const TEMPLATE_FORMAT = 1;

export function defaultTemplateCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "failover-drill");
}

export function templatePath(cacheDir: string, binaries: PostgresBinaries): string {
  const key = createHash("sha256")
    .update(`${TEMPLATE_FORMAT}\0${binaries.binDir}\0${INITDB_ARGS.join(" ")}`)
    .digest("hex")
    .slice(0, 12);
  return path.join(cacheDir, `pgdata-${binaries.version}-${key}`);
}

/** Runs initdb into `dataDir` (created empty, owned by the database user). */
export async function initdb(
  binaries: PostgresBinaries,
  dataDir: string,
  workspace: Workspace,
): Promise<void> {
  await mkdir(dataDir, { mode: 0o700 });
  await workspace.chownForUnprivileged(dataDir);
  try {
    await runCommand(path.join(binaries.binDir, "initdb"), ["-D", dataDir, ...INITDB_ARGS], {
      asUnprivileged: true,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" },
      timeoutMs: 120_000,
    });
  } catch (err) {
    throw new InitdbError(`initdb into ${dataDir} failed: ${(err as Error).message}`, { cause: err });
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export interface PreparedDataDirs {
  source: "cache" | "initdb";
  ms: number;
}

/**
 * Fills each of `targets` (which must not exist yet) with a pristine, cleanly shut down data dir,
 * owned by the database user. `cacheDir: false` disables the template cache.
 */
export async function preparePristineDataDirs(o: {
  binaries: PostgresBinaries;
  workspace: Workspace;
  targets: string[];
  cacheDir?: string | false;
}): Promise<PreparedDataDirs> {
  const started = performance.now();
  const [first, ...rest] = o.targets;
  if (first === undefined) return { source: "initdb", ms: 0 };
  const cacheDir = o.cacheDir === undefined ? defaultTemplateCacheDir() : o.cacheDir;
  const template = cacheDir === false ? null : templatePath(cacheDir, o.binaries);

  // pg_control is written last by initdb and the cache entry appears by rename, so its presence
  // means a complete template.
  if (template !== null && (await exists(path.join(template, "global", "pg_control")))) {
    await Promise.all(o.targets.map((t) => copyDirectory(template, t)));
    await Promise.all(o.targets.map((t) => ensureOwnedByDatabaseUser(t, o.workspace)));
    return { source: "cache", ms: performance.now() - started };
  }

  await initdb(o.binaries, first, o.workspace);
  await Promise.all([
    ...rest.map((t) => copyDirectory(first, t).then(() => ensureOwnedByDatabaseUser(t, o.workspace))),
    template === null ? undefined : storeTemplate(first, template),
  ]);
  return { source: "initdb", ms: performance.now() - started };
}

/** `cp -a` keeps the source's owner, normally already the database user; the fallback copy does not. */
async function ensureOwnedByDatabaseUser(dir: string, workspace: Workspace): Promise<void> {
  const user = unprivilegedUser();
  if (user === null) return;
  const owner = await stat(dir);
  if (owner.uid !== user.uid || owner.gid !== user.gid) await workspace.chownForUnprivileged(dir);
}

/** Write-then-rename, so a crash or a concurrent drill never leaves a half-written template in use. */
async function storeTemplate(from: string, template: string): Promise<void> {
  const staging = `${template}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await mkdir(path.dirname(template), { recursive: true });
    await copyDirectory(from, staging);
    await rename(staging, template);
  } catch {
    // Another drill stored it first, or the cache is not writable: the cache is only an optimisation.
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
