// The CLI as a user runs it: bin/failover-drill.js in a child process. Not a test file.
import { spawn } from "node:child_process";

/**
 * Runs bin/failover-drill.js as a user would. If it outlives `timeoutMs` (it started a drill it should
 * not have) it gets SIGINT, so it stops everything it started, and SIGKILL only 15 s later.
 */
export async function spawnCli(
  args: string[],
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["bin/failover-drill.js", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const interrupt = setTimeout(() => child.kill("SIGINT"), timeoutMs);
  const kill = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 15_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (c) => resolve(c));
    });
    return { code, stdout, stderr };
  } finally {
    clearTimeout(interrupt);
    clearTimeout(kill);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
