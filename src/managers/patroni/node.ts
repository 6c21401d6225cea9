// One region's Patroni member as a database node: start, stop, kill and pause act on Patroni and the
// PostgreSQL it runs; the SQL the drill sends (roles, positions, final read) goes straight to that
// PostgreSQL. Patroni starts postgres through a helper that calls setsid, so the postmaster would be
// reparented to PID 1 and escape a kill of Patroni's tree; so Patroni runs as PID 1 of its own PID
// namespace (unshare --pid --fork --mount-proc): the postmaster is reparented to Patroni, everything
// stays a descendant of the supervised process, and the namespace dies with it.
import pg from "pg";
import type { ReplicationSettings } from "../../engines/postgres/config.ts";
import { PostgresSqlNode } from "../../engines/postgres/operations.ts";
import type { ProcessDatabaseNode } from "../../engines/types.ts";
import type { ManagedProcess, ProcessSupervisor } from "../../platform/processes.ts";
import { unprivilegedUser } from "../../platform/user.ts";
import { waitUntil, WaitTimeoutError } from "../../util/wait.ts";
import { childrenOf, descendantsExcept } from "./proc.ts";

export class PatroniNodeError extends Error {
  override name = "PatroniNodeError";
}

/** Patroni's start: bootstrap (initdb) or a base backup through the replication proxy, then recovery. */
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 2000;
const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

export interface PatroniNodeOptions {
  region: string;
  host: string;
  port: number;
  /** Patroni's REST API, e.g. http://127.0.1.1:8008. */
  restUrl: string;
  replication: ReplicationSettings;
  supervisor: ProcessSupervisor;
  /** Where patroni and unshare/setpriv are. */
  programs: { patroni: string; unshare: string; setpriv: string };
  configFile: string;
  dir: string;
  logFile: string;
}

/** unshare (as root: then setpriv drops to the unprivileged user) + patroni, as one argv. */
export function patroniCommand(o: Pick<PatroniNodeOptions, "programs" | "configFile">): string[] {
  const namespace = ["--pid", "--fork", "--mount-proc", "--kill-child"];
  const user = unprivilegedUser();
  if (user === null) {
    // Not root: a user namespace lets us create the PID namespace; we stay ourselves inside it.
    return [
      o.programs.unshare,
      "--user",
      "--map-current-user",
      ...namespace,
      o.programs.patroni,
      o.configFile,
    ];
  }
  return [
    o.programs.unshare,
    ...namespace,
    o.programs.setpriv,
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    "--clear-groups",
    o.programs.patroni,
    o.configFile,
  ];
}

export class PatroniNode extends PostgresSqlNode implements ProcessDatabaseNode {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly restUrl: string;
  readonly replication: ReplicationSettings;
  private process: ManagedProcess | undefined;
  private managerFrozen: number[] = [];

  constructor(private readonly o: PatroniNodeOptions) {
    super();
    this.name = o.region;
    this.host = o.host;
    this.port = o.port;
    this.restUrl = o.restUrl;
    this.replication = o.replication;
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  get pid(): number | undefined {
    return this.running ? this.process?.pid : undefined;
  }

  get paused(): boolean {
    return this.running && ((this.process?.paused ?? false) || this.managerFrozen.length > 0);
  }

  /** Starts Patroni and waits until its PostgreSQL accepts connections (bootstrapped, or a replica). */
  async start(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    if (this.running) throw new PatroniNodeError(`${this.name}: already running`);
    const [command, ...args] = patroniCommand(this.o);
    const proc = this.o.supervisor.spawn(`patroni:${this.name}`, command!, args, {
      cwd: this.o.dir,
      env: {
        PATH: "/usr/bin:/bin:/usr/sbin:/sbin",
        LC_ALL: "C.UTF-8",
        HOME: this.o.dir,
        // Whatever this member dials through libpq (walreceiver, pg_basebackup, pg_rewind) goes to
        // its own region's address, where the replication proxy to each upstream listens.
        PGHOSTADDR: this.host,
      },
      logFile: this.o.logFile,
    });
    this.process = proc;
    this.managerFrozen = [];
    try {
      await this.waitUntilAccepting(proc, timeoutMs, "start");
    } catch (err) {
      if (proc.running) await proc.kill();
      throw err;
    }
  }

  private async waitUntilAccepting(proc: ManagedProcess, timeoutMs: number, phase: string): Promise<void> {
    let lastError: string | null = null;
    try {
      await waitUntil(
        async () => {
          if (!proc.running) {
            const exit = await proc.exited;
            throw new PatroniNodeError(
              `${this.name}: patroni exited during ${phase} (code ${exit.code}, signal ${exit.signal}); see ${this.o.logFile}`,
            );
          }
          lastError = await this.tryConnect();
          return lastError === null;
        },
        { timeoutMs, intervalMs: 100, wake: proc.exited, retryErrors: false, describe: "" },
      );
    } catch (err) {
      if (!(err instanceof WaitTimeoutError)) throw err;
      throw new PatroniNodeError(
        `${this.name}: PostgreSQL not accepting connections ${timeoutMs} ms after ${phase} (${lastError}); see ${this.o.logFile}`,
      );
    }
  }

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

  /** SIGKILL Patroni, PostgreSQL and everything in the member's namespace: power loss. */
  async kill(): Promise<void> {
    this.managerFrozen = [];
    await this.process?.kill("SIGKILL");
  }

  /**
   * Patroni's own shutdown (SIGTERM): it stops PostgreSQL (fast) and, as leader, gives up the leader
   * key, so another member takes over at once. unshare does not pass signals on, so the signal goes
   * to its child, Patroni running as the namespace's init.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const proc = this.process;
    if (proc === undefined || !proc.running) return;
    if (proc.paused || this.managerFrozen.length > 0) this.resumeSignals();
    for (const pid of childrenOf(proc.pid)) process.kill(pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">(
      (resolve) => (timer = setTimeout(() => resolve("timeout"), graceMs)),
    );
    await Promise.race([proc.exited, timeout]);
    clearTimeout(timer);
    // After the grace period, or to make sure nothing of the namespace is left: waits until gone.
    await proc.kill("SIGKILL");
  }

  /** Freezes Patroni and PostgreSQL (SIGSTOP to the whole namespace). */
  async pause(): Promise<void> {
    if (this.process === undefined || !this.running) throw new PatroniNodeError(`${this.name}: not running`);
    await this.process.pause();
  }

  async resume(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    if (this.process === undefined || !this.running) throw new PatroniNodeError(`${this.name}: not running`);
    this.resumeSignals();
    await this.waitUntilAccepting(this.process, timeoutMs, "resume");
  }

  private resumeSignals(): void {
    if (this.process?.paused) this.process.resume();
    for (const pid of this.managerFrozen) signal(pid, "SIGCONT");
    this.managerFrozen = [];
  }

  /**
   * Freezes Patroni only (its Python processes), leaving PostgreSQL running: under Raft the region's
   * DCS member lives inside Patroni, and a network outage takes it off the network.
   */
  freezeManager(): void {
    if (this.process === undefined || !this.running) return;
    this.managerFrozen = descendantsExcept(this.process.pid, "postgres");
    for (const pid of this.managerFrozen) signal(pid, "SIGSTOP");
  }

  override promote(): Promise<void> {
    return Promise.reject(new PatroniNodeError(`${this.name}: Patroni decides promotions, not the drill`));
  }

  override setUpstream(): Promise<void> {
    return Promise.reject(new PatroniNodeError(`${this.name}: Patroni points its standbys, not the drill`));
  }

  override setSynchronousStandbys(): Promise<string> {
    return Promise.reject(new PatroniNodeError(`${this.name}: Patroni sets synchronous_standby_names`));
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
    client.on("error", () => {});
    return client;
  }

  override async query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    opts: { timeoutMs?: number } = {},
  ): Promise<T[]> {
    const client = this.client(CONNECT_TIMEOUT_MS, opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    try {
      await client.connect();
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await closeClient(client);
    }
  }

  protected override failure(message: string): Error {
    return new PatroniNodeError(message);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
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
