// A drill's scratch directory: data directories, logs, generated config. One per run, removed at the
// end unless the user asked to keep it for a post-mortem.
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, chmod, cp, lchown, lstat, mkdtemp, readdir, rm, statfs } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { claimWorkspace, markWorkspaceKept } from "../lifeline/workspace-marker.ts";
import { unprivilegedUser } from "./user.ts";

export class WorkspaceError extends Error {
  override name = "WorkspaceError";
}

export class Workspace implements AsyncDisposable {
  private removed = false;

  private constructor(
    readonly dir: string,
    readonly keep: boolean,
  ) {}

  /** mkdtemp under `parent` (default: see defaultWorkspaceParent): failover-drill-<name>-XXXXXX. */
  static async create(drillName: string, opts: { keep?: boolean; parent?: string } = {}): Promise<Workspace> {
    const safeName = drillName.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 40) || "drill";
    const parent = opts.parent ?? (await defaultWorkspaceParent());
    const dir = await mkdtemp(path.join(parent, `failover-drill-${safeName}-`));
    // mkdtemp makes it 0700; the unprivileged database user has to reach its data dirs inside.
    await chmod(dir, 0o755);
    // Within a run: a marker file proving whose it is, and the run's reaper told where it is.
    await claimWorkspace(dir);
    return new Workspace(dir, opts.keep ?? false);
  }

  /** A path inside the workspace; refuses parts that would climb out of it. */
  path(...parts: string[]): string {
    const full = path.resolve(this.dir, ...parts);
    if (full !== this.dir && !full.startsWith(this.dir + path.sep)) {
      throw new WorkspaceError(`${parts.join("/")} is outside the workspace ${this.dir}`);
    }
    return full;
  }

  /** Deletes the workspace, unless it was created with keep. */
  async remove(): Promise<void> {
    if (this.removed) return;
    if (this.keep) {
      // Kept on purpose: `run` does not warn about it, `cleanup` still lists it.
      await markWorkspaceKept(this.dir).catch(() => undefined);
      return;
    }
    await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
    this.removed = true;
  }

  /** Hands `target` (recursively) to the unprivileged user; a no-op when we are not root. */
  async chownForUnprivileged(target: string): Promise<void> {
    const user = unprivilegedUser();
    if (user !== null) await chownRecursive(target, user.uid, user.gid);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}

/** Below this much free space a tmpfs is not used (Docker's default /dev/shm is only 64 MB). */
const MIN_TMPFS_FREE_BYTES = 1024 ** 3;

/**
 * Where workspaces go: $FAILOVER_DRILL_WORKDIR if set; else /dev/shm when it is a roomy tmpfs, because
 * creating the ~1000 files of a data directory costs about 0.5 ms each on a disk filesystem but almost
 * nothing in memory (copying a data dir: ~0.07 s instead of ~0.8 s), and a drill's processes die, not
 * the machine, so nothing needs to survive a reboot; else os.tmpdir().
 */
export async function defaultWorkspaceParent(): Promise<string> {
  const configured = process.env.FAILOVER_DRILL_WORKDIR;
  if (configured) return configured;
  if (process.platform === "linux") {
    try {
      await access("/dev/shm", constants.W_OK);
      const fs = await statfs("/dev/shm");
      if (fs.bavail * fs.bsize >= MIN_TMPFS_FREE_BYTES) return "/dev/shm";
    } catch {
      // no usable /dev/shm
    }
  }
  return os.tmpdir();
}

async function chownRecursive(target: string, uid: number, gid: number): Promise<void> {
  await lchown(target, uid, gid);
  if (!(await lstat(target)).isDirectory()) return;
  const entries = await readdir(target, { recursive: true });
  await Promise.all(entries.map((entry) => lchown(path.join(target, entry), uid, gid)));
}

/**
 * Copies a directory tree, keeping modes and owners. `cp -a` is several times faster than fs.cp for a
 * PostgreSQL data directory (about a thousand files), and on copy-on-write filesystems it clones.
 */
export async function copyDirectory(from: string, to: string): Promise<void> {
  const args = process.platform === "linux" ? ["-a", "--reflink=auto", from, to] : ["-a", from, to];
  const copied = await new Promise<boolean>((resolve) => {
    const child = spawn("cp", args, { stdio: "ignore" });
    child.once("error", () => resolve(false));
    child.once("close", (code) => resolve(code === 0));
  });
  if (copied) return;
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
}
