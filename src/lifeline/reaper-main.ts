// The reaper: one small detached process per run, started before anything else. It holds the read
// end of a pipe from the runner; the runner writes `workspace <dir>` lines as it creates workspaces
// and `done` when it has cleaned up itself. End of file without `done` means the runner died (by any
// signal, SIGKILL included), and so does its pid vanishing (polled as a fallback): then it reaps the
// run (reap.ts) and exits. Arguments: <run> <runner pid> <runner start|-> <keep|no-keep>.
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { procProbe } from "./proc.ts";
import { reapRun } from "./reap.ts";

const [run, pidText, startText, keepText] = process.argv.slice(2);
const runnerPid = Number(pidText);
const runnerStart = startText === undefined || startText === "-" ? undefined : Number(startText);
const logFile = process.env.FAILOVER_DRILL_REAPER_LOG;
const log = (line: string): void => {
  if (logFile) appendFileSync(logFile, `${new Date().toISOString()} reaper ${run}: ${line}\n`);
};

if (run === undefined || !Number.isInteger(runnerPid) || runnerPid <= 0) {
  process.stderr.write("usage: reaper-main <run> <runner pid> <runner start|-> <keep|no-keep>\n");
  process.exit(2);
}

const workspaces: string[] = [];
let finished = false;

async function reap(why: string): Promise<void> {
  if (finished) return;
  finished = true;
  log(`${why}; reaping`);
  await reapRun({ run: run!, workspaces, keep: keepText === "keep", log });
  log("done");
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line === "done") {
    finished = true;
    log("runner done");
    process.exit(0);
  }
  if (line.startsWith("workspace ")) workspaces.push(line.slice("workspace ".length));
});
lines.on("close", () => void reap("runner's pipe closed"));

// Without /proc the pipe alone tells.
if (process.platform === "linux") {
  setInterval(() => {
    const now = procProbe(runnerPid);
    if (now === undefined || (runnerStart !== undefined && now.start !== runnerStart))
      void reap(`runner ${runnerPid} is gone`);
  }, 1000).unref();
}
log(`watching runner ${runnerPid}`);
