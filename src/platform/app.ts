// Starts the reference app (fixtures/app/server.ts) for one region as a supervised child process.
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setTimeout as delay } from "node:timers/promises";
import { httpAnswers } from "./http-probe.ts";
import type { ManagedProcess, ProcessSupervisor } from "./processes.ts";
import type { Workspace } from "./workspace.ts";

export class ReferenceAppError extends Error {
  override name = "ReferenceAppError";
}

const READY_TIMEOUT_MS = 10_000;

/** Resolved from this file, not the cwd, so the runner works from any directory. */
const SERVER_PATH = fileURLToPath(new URL("../../fixtures/app/server.ts", import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The tsx loader as a file URL (import.meta.resolve is not available when tsx compiles us to CJS). */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface ReferenceAppOptions {
  supervisor: ProcessSupervisor;
  workspace: Workspace;
  region: string;
  host: string;
  port: number;
  databaseUrl: string;
}

/** Spawns the app and waits until GET /health answers (any status); its log is <workspace>/<region>/app.log. */
export async function startReferenceApp(o: ReferenceAppOptions): Promise<ManagedProcess> {
  const dir = o.workspace.path(o.region);
  await mkdir(dir, { recursive: true });
  const logFile = o.workspace.path(o.region, "app.log");
  const app = o.supervisor.spawn(`app:${o.region}`, process.execPath, ["--import", TSX_LOADER, SERVER_PATH], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      REGION: o.region,
      HOST: o.host,
      PORT: String(o.port),
      DATABASE_URL: o.databaseUrl,
    },
    logFile,
  });
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (!app.running) {
      const exit = await app.exited;
      throw new ReferenceAppError(
        `reference app for ${o.region} exited during start (code ${exit.code}, signal ${exit.signal}); see ${logFile}`,
      );
    }
    if (await httpAnswers(`http://${o.host}:${o.port}/health`, 2000)) return app;
    await Promise.race([delay(50), app.exited]);
  }
  await app.kill();
  throw new ReferenceAppError(
    `reference app for ${o.region} did not answer on ${o.host}:${o.port} within 10 s`,
  );
}
