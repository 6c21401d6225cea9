// Starts a region's app as a supervised child process: the reference app (fixtures/app/server.ts) or
// the drill's own ("bring your own app": `app.command`, templated per region).
import { mkdir } from "node:fs/promises";
import type { AppSpec } from "../drill/types.ts";
import { appEnvironment, renderTemplate, type DatabaseEndpoint } from "./app-env.ts";
import { httpAnswers } from "./http-probe.ts";
import type { ManagedProcess, ProcessSupervisor } from "./processes.ts";
import { referenceAppLaunch } from "./reference-app.ts";
import type { Workspace } from "./workspace.ts";
import { waitUntil, WaitTimeoutError } from "../util/wait.ts";

export class ReferenceAppError extends Error {
  override name = "ReferenceAppError";
}

export class AppStartError extends Error {
  override name = "AppStartError";
}

const READY_TIMEOUT_MS = 10_000;
/** An app we know nothing about (its own runtime, its own start-up work) gets longer. */
const COMMAND_READY_TIMEOUT_MS = 30_000;

export interface ReferenceAppOptions {
  supervisor: ProcessSupervisor;
  workspace: Workspace;
  region: string;
  host: string;
  port: number;
  databaseUrl: string;
  /** More environment (the drill's app.env, templated), over the variables above. */
  env?: Record<string, string>;
}

/** Spawns the app and waits until GET /health answers (any status); its log is <workspace>/<region>/app.log. */
export async function startReferenceApp(o: ReferenceAppOptions): Promise<ManagedProcess> {
  const logFile = await appLogFile(o.workspace, o.region);
  // Located from our own module, not the cwd, so the runner works from any directory.
  const launch = referenceAppLaunch();
  const app = o.supervisor.spawn(`app:${o.region}`, process.execPath, launch.args, {
    cwd: launch.cwd,
    env: {
      ...process.env,
      REGION: o.region,
      HOST: o.host,
      PORT: String(o.port),
      DATABASE_URL: o.databaseUrl,
      ...o.env,
    },
    logFile,
  });
  const outcome = await waitUntilAnswering(app, `http://${o.host}:${o.port}/health`, READY_TIMEOUT_MS);
  if (outcome === "ready") return app;
  if (outcome === "exited") {
    const exit = await app.exited;
    throw new ReferenceAppError(
      `reference app for ${o.region} exited during start (code ${exit.code}, signal ${exit.signal}); see ${logFile}`,
    );
  }
  await app.kill();
  throw new ReferenceAppError(
    `reference app for ${o.region} did not answer on ${o.host}:${o.port} within 10 s`,
  );
}

export interface RegionAppOptions {
  supervisor: ProcessSupervisor;
  workspace: Workspace;
  region: string;
  /** Where the app must listen: {{HOST}} and {{PORT}}. */
  host: string;
  port: number;
  /** Where the app reaches its region's database (the app-db proxy). */
  database: DatabaseEndpoint;
  /** The drill's app; without a `command` the reference app runs. */
  app?: Pick<AppSpec, "command" | "workingDir" | "healthPath" | "env">;
}

/**
 * Starts a region's app: `app.command` run from `app.workingDir` when given (argv and `env` values
 * templated with REGION, HOST, PORT, DATABASE_URL, DATABASE_HOST, DATABASE_PORT, which the app also
 * gets as environment), else the reference app. Resolves once `app.healthPath` answers any HTTP
 * status (a standby's app may say 503 and still be up); its log is <workspace>/<region>/app.log.
 */
export async function startRegionApp(o: RegionAppOptions): Promise<ManagedProcess> {
  const databaseUrl = o.database.url;
  const command = o.app?.command;
  if (command === undefined || o.app === undefined) {
    const { supervisor, workspace, region, host, port } = o;
    // As on docker, the reference app gets app.env too (e.g. PG* variables its driver honours).
    const { env } = renderApp(o, [], o.app?.env ?? {});
    return startReferenceApp({ supervisor, workspace, region, host, port, databaseUrl, env });
  }
  const { argv, env } = renderApp(o, command, o.app.env);
  const [program, ...args] = argv;
  if (program === undefined || program === "")
    throw new AppStartError(`app.command for ${o.region} is empty`);
  const logFile = await appLogFile(o.workspace, o.region);
  const app = o.supervisor.spawn(`app:${o.region}`, program, args, {
    cwd: o.app.workingDir,
    env: { ...process.env, ...env },
    logFile,
  });
  const url = `http://${o.host}:${o.port}${o.app.healthPath}`;
  const outcome = await waitUntilAnswering(app, url, COMMAND_READY_TIMEOUT_MS);
  if (outcome === "ready") return app;
  if (outcome === "exited") {
    const exit = await app.exited;
    throw new AppStartError(
      `app for ${o.region} (${argv.join(" ")}) exited during start (code ${exit.code}, signal ${exit.signal}); see ${logFile}`,
    );
  }
  await app.kill();
  throw new AppStartError(
    `app for ${o.region} (${argv.join(" ")}) did not answer ${url} within ${COMMAND_READY_TIMEOUT_MS / 1000} s; see ${logFile}`,
  );
}

/** The app's argv and environment for its region, templated as on the docker platform. */
function renderApp(
  o: RegionAppOptions,
  command: string[],
  extraEnv: Record<string, string>,
): { argv: string[]; env: Record<string, string> } {
  const values = appEnvironment(o.region, { host: o.host, port: o.port }, o.database);
  const render = (text: string): string => {
    try {
      return renderTemplate(text, values);
    } catch (err) {
      throw new AppStartError(`app for ${o.region}: ${(err as Error).message}`, { cause: err });
    }
  };
  const env: Record<string, string> = { ...values };
  for (const [name, value] of Object.entries(extraEnv)) env[name] = render(value);
  return { argv: command.map(render), env };
}

async function appLogFile(workspace: Workspace, region: string): Promise<string> {
  await mkdir(workspace.path(region), { recursive: true });
  return workspace.path(region, "app.log");
}

/** Polls `url` until it answers any status; "exited" when the app died first, "timeout" after `timeoutMs`. */
async function waitUntilAnswering(
  app: ManagedProcess,
  url: string,
  timeoutMs: number,
): Promise<"ready" | "exited" | "timeout"> {
  return waitUntil(
    async () => {
      if (!app.running) return "exited";
      return (await httpAnswers(url, 2000)) && "ready";
    },
    { timeoutMs, intervalMs: 50, wake: app.exited, retryErrors: false, describe: `${url} to answer` },
  ).catch((err: unknown) => {
    if (err instanceof WaitTimeoutError) return "timeout";
    throw err;
  });
}
