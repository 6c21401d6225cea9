// How every pg_autoctl of a drill runs: as the unprivileged user, with its configuration, state and
// runtime files (XDG_*) and the socket directory (PGHOST) under the workspace, never the user's home,
// and with PGHOSTADDR set to the address of the site it runs on: libpq then dials every host:port the
// conninfo names on that address, where the drill's proxy to that host listens (plan.ts).
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Workspace } from "../../platform/workspace.ts";

/** The programs a pg_auto_failover drill runs. */
export interface PgAutoctlPrograms {
  pgAutoctl: string;
  /** PostgreSQL's server binaries (pg_ctl, postgres, initdb, pg_basebackup, pg_rewind), one version. */
  binDir: string;
  /** e.g. "15.18". */
  version: string;
}

/** One pg_autoctl instance's home: its XDG directories and the cluster's data directory. */
export interface PgAutoctlHome {
  dir: string;
  pgdata: string;
  logFile: string;
}

export async function makeHome(workspace: Workspace, root: string, name: string): Promise<PgAutoctlHome> {
  const dir = path.join(root, name);
  for (const sub of ["", "config", "data", "run"])
    await mkdir(path.join(dir, sub), { recursive: true, mode: 0o700 });
  await workspace.chownForUnprivileged(dir);
  return { dir, pgdata: path.join(dir, "pgdata"), logFile: path.join(dir, "pg_autoctl.log") };
}

export function pgAutoctlEnv(
  programs: PgAutoctlPrograms,
  home: PgAutoctlHome,
  o: { socketDir: string; hostaddr: string },
): NodeJS.ProcessEnv {
  return {
    PATH: `${programs.binDir}:/usr/bin:/bin`,
    LC_ALL: "C",
    HOME: home.dir,
    XDG_CONFIG_HOME: path.join(home.dir, "config"),
    XDG_DATA_HOME: path.join(home.dir, "data"),
    XDG_RUNTIME_DIR: path.join(home.dir, "run"),
    PGHOST: o.socketDir,
    PGHOSTADDR: o.hostaddr,
    PGUSER: "postgres",
  };
}
