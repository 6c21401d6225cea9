// PostgreSQL nodes of a drill: one primary and its streaming standbys, each a `postgres -D dir` process
// in its own process group on its region's loopback address.
import { appendFile, mkdir, open, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { ManagedProcess, ProcessSupervisor } from "../../platform/processes.ts";
import type { Workspace } from "../../platform/workspace.ts";
import { waitUntil, WaitTimeoutError } from "../../util/wait.ts";
import type { PostgresBinaries } from "./binaries.ts";
import { ASYNC_REPLICATION, HBA_CONF, nodeConfig, type ReplicationSettings } from "./config.ts";
import type { Address, ProcessDatabaseNode } from "../types.ts";
import { PostgresSqlNode } from "./operations.ts";
import { preparePristineDataDirs, type PreparedDataDirs } from "./template.ts";

export class PostgresNodeError extends Error {
  override name = "PostgresNodeError";
}

export interface PostgresNodeSpec {
  /** The region's name; also the standby's application_name. */
  name: string;
  host: string;
  port: number;
  /** Standbys only: where to stream from (the lead passes a replication proxy address). */
  upstream?: Address;
}

export interface CreatePostgresNodesOptions {
  binaries: PostgresBinaries;
  workspace: Workspace;
  supervisor: ProcessSupervisor;
  primary: PostgresNodeSpec;
  standbys: PostgresNodeSpec[];
  settings: Record<string, string>;
  /** Replication mode every node is configured with; async when omitted. */
  replication?: ReplicationSettings;
  /** Template cache directory; false disables it. Default: $XDG_CACHE_HOME/failover-drill. */
  templateCacheDir?: string | false;
  /** Receives how the data dirs were made and how long it took. */
  onPrepared?: (prepared: PreparedDataDirs) => void;
}

const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 2000;
const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/** Data dirs ready and configured; nothing started. Node i's files live in <workspace>/<name>/. */
export async function createPostgresNodes(o: CreatePostgresNodesOptions): Promise<PostgresNode[]> {
  const specs = [o.primary, ...o.standbys];
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length) throw new PostgresNodeError("database node names must be unique");
  for (const standby of o.standbys) {
    if (standby.upstream === undefined)
      throw new PostgresNodeError(`standby ${standby.name} has no upstream`);
  }
  const nodeDirs = specs.map((s) => o.workspace.path(s.name));
  await Promise.all(nodeDirs.map((dir) => mkdir(dir, { recursive: true, mode: 0o755 })));
  const dataDirs = nodeDirs.map((dir) => path.join(dir, "data"));
  const replication = o.replication ?? ASYNC_REPLICATION;
  const prepared = await preparePristineDataDirs({
    binaries: o.binaries,
    workspace: o.workspace,
    targets: dataDirs,
    ...(o.templateCacheDir === undefined ? {} : { cacheDir: o.templateCacheDir }),
  });
  o.onPrepared?.(prepared);

  return Promise.all(
    specs.map(async (spec, i) => {
      const dataDir = dataDirs[i]!;
      const role = i === 0 ? "primary" : "standby";
      const peers = specs.map((s) => s.name).filter((n) => n !== spec.name);
      await appendFile(
        path.join(dataDir, "postgresql.conf"),
        nodeConfig({ ...spec, settings: o.settings, replication, peers }),
      );
      await writeFile(path.join(dataDir, "pg_hba.conf"), HBA_CONF);
      if (role === "standby") {
        await writeFile(path.join(dataDir, "standby.signal"), "");
        // A file we create belongs to us (root); the server removes it on promotion, so hand it over.
        await o.workspace.chownForUnprivileged(path.join(dataDir, "standby.signal"));
      }
      return new PostgresNode({
        spec,
        role,
        replication,
        binaries: o.binaries,
        supervisor: o.supervisor,
        nodeDir: nodeDirs[i]!,
        dataDir,
      });
    }),
  );
}

export class PostgresNode extends PostgresSqlNode implements ProcessDatabaseNode, AsyncDisposable {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Where the server's stderr goes (appended across restarts). */
  readonly logFile: string;
  /** Role the node was created with; after a failover ask role(). */
  readonly initialRole: "primary" | "standby";
  readonly replication: ReplicationSettings;
  private process: ManagedProcess | undefined;

  constructor(
    private readonly o: {
      spec: PostgresNodeSpec;
      role: "primary" | "standby";
      replication: ReplicationSettings;
      binaries: PostgresBinaries;
      supervisor: ProcessSupervisor;
      nodeDir: string;
      dataDir: string;
    },
  ) {
    super();
    this.name = o.spec.name;
    this.host = o.spec.host;
    this.port = o.spec.port;
    this.dataDir = o.dataDir;
    this.logFile = path.join(o.nodeDir, "postgres.log");
    this.initialRole = o.role;
    this.replication = o.replication;
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** Pid of the postmaster (leader of the node's process group), while running. */
  get pid(): number | undefined {
    return this.running ? this.process?.pid : undefined;
  }

  /** Spawns the server and waits until it accepts connections (a standby: once consistent). */
  async start(): Promise<void> {
    if (this.running) throw new PostgresNodeError(`${this.name}: already running`);
    const proc = this.o.supervisor.spawn(
      `postgres:${this.name}`,
      path.join(this.o.binaries.binDir, "postgres"),
      ["-D", this.dataDir],
      {
        cwd: this.o.nodeDir,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" },
        logFile: this.logFile,
        asUnprivileged: true,
        // SIGINT is PostgreSQL's fast shutdown; SIGTERM (smart) would wait for every client to leave.
        stopSignal: "SIGINT",
      },
    );
    this.process = proc;
    try {
      await this.waitUntilAccepting(proc, START_TIMEOUT_MS, "start");
    } catch (err) {
      if (proc.running) await proc.kill();
      throw err;
    }
  }

  /** Polls until a connection succeeds; throws when the server exits or `timeoutMs` passes. */
  private async waitUntilAccepting(proc: ManagedProcess, timeoutMs: number, phase: string): Promise<void> {
    let lastError: string | null = null;
    try {
      await waitUntil(
        async () => {
          if (!proc.running) {
            const exit = await proc.exited;
            throw new PostgresNodeError(
              `${this.name}: postgres exited during ${phase} (code ${exit.code}, signal ${exit.signal}):\n${await this.lastLog()}`,
            );
          }
          lastError = await this.tryConnect();
          return lastError === null;
        },
        {
          timeoutMs,
          intervalMs: 50,
          // A server that dies is noticed at once, not after the pause.
          wake: proc.exited,
          retryErrors: false,
          describe: () =>
            `${this.name}: not accepting connections ${timeoutMs} ms after ${phase} (${lastError})`,
        },
      );
    } catch (err) {
      if (!(err instanceof WaitTimeoutError)) throw err;
      throw new PostgresNodeError(`${err.message}:\n${await this.lastLog()}`);
    }
  }

  /** null when a connection succeeded, else why not. */
  private async tryConnect(): Promise<string | null> {
    const client = this.client(1000);
    try {
      await client.connect();
      return null;
    } catch (err) {
      return (err as Error).message;
    } finally {
      await closeClient(client);
    }
  }

  /** SIGKILL the node's whole process group: a crash or region power loss. */
  async kill(): Promise<void> {
    await this.process?.kill("SIGKILL");
  }

  /** Fast shutdown (SIGINT); SIGKILL if it has not finished within the grace period. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    await this.process?.stop(graceMs, "SIGINT");
  }

  /** Whether pause() froze the server and resume() has not thawed it yet. */
  get paused(): boolean {
    return this.running && (this.process?.paused ?? false);
  }

  /**
   * Freezes the server: SIGSTOP to the postmaster and to every backend, walsender and walreceiver
   * (they left its process group), so nothing answers while connections stay open and stall.
   */
  async pause(): Promise<void> {
    if (this.process === undefined || !this.running) throw new PostgresNodeError(`${this.name}: not running`);
    await this.process.pause();
  }

  /** Thaws a paused server and waits until it accepts connections again. */
  async resume(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    if (this.process === undefined || !this.running) throw new PostgresNodeError(`${this.name}: not running`);
    this.process.resume();
    await this.waitUntilAccepting(this.process, timeoutMs, "resume");
  }

  private client(connectTimeoutMs = CONNECT_TIMEOUT_MS, queryTimeoutMs?: number): pg.Client {
    const client = new pg.Client({
      host: this.host,
      port: this.port,
      user: "postgres",
      database: "postgres",
      connectionTimeoutMillis: connectTimeoutMs,
      ...(queryTimeoutMs === undefined ? {} : { query_timeout: queryTimeoutMs }),
      application_name: "failover-drill",
    });
    // A server dying under an idle client emits 'error'; the failing query reports it to the caller.
    client.on("error", () => {});
    return client;
  }

  /** One query on a short-lived direct connection (2 s connect timeout). */
  override async query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    opts: { timeoutMs?: number } = {},
  ): Promise<T[]> {
    const client = this.client(CONNECT_TIMEOUT_MS, opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    try {
      await client.connect();
      const result = await client.query<T>(sql, params);
      return result.rows;
    } finally {
      await closeClient(client);
    }
  }

  protected override failure(message: string): Error {
    return new PostgresNodeError(message);
  }

  protected override async logTail(): Promise<string> {
    return this.lastLog();
  }

  /** The last `lines` lines of the server log, for error messages. */
  async lastLog(lines = 30): Promise<string> {
    let file;
    try {
      file = await open(this.logFile, "r");
    } catch {
      return "(no log yet)";
    }
    try {
      const { size } = await file.stat();
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      return buffer.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } finally {
      await file.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** end() waits for the server's goodbye, which never comes from a frozen server: cap it, then cut. */
async function closeClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => {}),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 1000);
    }),
  ]);
  clearTimeout(timer);
  client.connection.stream.destroy();
}
