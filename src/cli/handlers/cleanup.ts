// `failover-drill cleanup [--dry-run] [--workdir DIR]`: finds every process, workspace, container and
// network carrying a drill's marker whose runner is gone (src/lifeline/leftovers.ts), prints them and,
// without --dry-run, removes them. Anything without a marker, or whose runner still runs, is not
// touched. Exit 0; 2 for a --workdir that is not a directory; 4 when something could not be removed.
import { stat } from "node:fs/promises";
import os from "node:os";
import { findLeftovers, leftoverCount, removeLeftovers, type Leftovers } from "../../lifeline/leftovers.ts";
import { defaultWorkspaceParent } from "../../platform/workspace.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";

export interface CleanupArgs {
  dryRun: boolean;
  workdir?: string[];
}

/** One line per leftover, as `cleanup` prints them. */
export function leftoverLines(l: Leftovers): string[] {
  return [
    ...l.processes.map(
      (p) => `process ${p.pid} (${p.comm}) of run ${p.marker.run}: ${p.command || "?"} [${p.why}]`,
    ),
    ...l.workspaces.map((w) => `workspace ${w.workspace} of run ${w.run} [${w.why}]`),
    ...l.docker.map((r) => `${r.kind} ${r.name} (${r.id.slice(0, 12)}) of run ${r.run} [${r.why}]`),
  ];
}

async function workdirs(args: CleanupArgs, io: CliIo): Promise<string[] | null> {
  if (args.workdir === undefined || args.workdir.length === 0)
    return [await defaultWorkspaceParent(), "/dev/shm", os.tmpdir()];
  for (const dir of args.workdir) {
    const info = await stat(dir).catch(() => undefined);
    if (info?.isDirectory() !== true) {
      io.err(`error: --workdir ${dir}: expected an existing directory (where drills put their workspaces)`);
      return null;
    }
  }
  return args.workdir;
}

export async function handleCleanup(
  args: CleanupArgs,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  const dirs = await workdirs(args, io);
  if (dirs === null) {
    setExit(ExitCode.invalidInput);
    return;
  }
  const found = await findLeftovers({ workdirs: dirs, includeKept: true });
  if (found.dockerSkipped !== undefined) io.out(`docker not searched: ${found.dockerSkipped}`);
  const count = leftoverCount(found);
  if (count === 0) {
    io.out("nothing left behind by earlier drills");
    setExit(ExitCode.ok);
    return;
  }
  io.out(`${args.dryRun ? "found" : "removing"} ${count} leftover(s) of earlier drills:`);
  for (const line of leftoverLines(found)) io.out(`  ${line}`);
  if (args.dryRun) {
    io.out("dry run: nothing removed; `failover-drill cleanup` removes them");
    setExit(ExitCode.ok);
    return;
  }
  const problems = await removeLeftovers(found);
  for (const p of problems) io.err(`error: ${p}`);
  io.out(problems.length === 0 ? `removed ${count} leftover(s)` : "some leftovers could not be removed");
  setExit(problems.length === 0 ? ExitCode.ok : ExitCode.infrastructure);
}
