// pg_auto_failover's monitor: a PostgreSQL instance with the pgautofailover extension that holds the
// formation's state, runs the health checks and drives every keeper's state machine. Created with
// `pg_autoctl create monitor` on a data directory we initialise (so its socket directory, memory and
// timing GUCs are ours), then run by `pg_autoctl run`.
import { appendFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import type { PgAutoFailoverSpec } from "../../drill/format/pg-auto-failover.ts";
import type { ProcessSupervisor } from "../../platform/processes.ts";
import { runSupervised, Service } from "../../platform/service.ts";
import type { MonitorPlan } from "./plan.ts";
import { pgAutoctlEnv, type PgAutoctlHome, type PgAutoctlPrograms } from "./pg-autoctl.ts";
import { monitorConf, PG_HBA } from "./settings.ts";
import { queryOnce } from "./sql.ts";

const CREATE_TIMEOUT_MS = 120_000;
const READY_TIMEOUT_MS = 60_000;

export interface MonitorOptions {
  supervisor: ProcessSupervisor;
  programs: PgAutoctlPrograms;
  home: PgAutoctlHome;
  plan: MonitorPlan;
  spec: PgAutoFailoverSpec;
  socketDir: string;
}

export class PgAutoFailoverMonitor {
  readonly service: Service;
  readonly address;

  constructor(private readonly o: MonitorOptions) {
    this.address = { host: o.plan.address, port: o.plan.port };
    this.service = new Service(o.supervisor, {
      name: "pg_autoctl:monitor",
      command: o.programs.pgAutoctl,
      args: ["run", "--pgdata", o.home.pgdata],
      cwd: o.home.dir,
      env: this.env,
      logFile: o.home.logFile,
      ready: () =>
        this.query("SELECT 1 FROM pgautofailover.formation", [], 1000).then(
          () => true,
          () => false,
        ),
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
  }

  private get env(): NodeJS.ProcessEnv {
    return pgAutoctlEnv(this.o.programs, this.o.home, {
      socketDir: this.o.socketDir,
      hostaddr: this.o.plan.hostaddr,
    });
  }

  /**
   * `pg_autoctl create monitor` on the initialised (not running) data directory: installs the
   * extension and stops PostgreSQL again. Our settings go at the end of postgresql.conf, after the
   * include of pg_auto_failover's own, so they win.
   */
  async create(): Promise<void> {
    const { home, plan } = this.o;
    await appendFile(path.join(home.pgdata, "postgresql.conf"), monitorConf(this.o.spec, this.o.socketDir));
    await writeFile(path.join(home.pgdata, "pg_hba.conf"), PG_HBA);
    await runSupervised(this.o.supervisor, {
      name: "pg_autoctl:create-monitor",
      command: this.o.programs.pgAutoctl,
      args: [
        "create",
        "monitor",
        "--pgdata",
        home.pgdata,
        "--pgctl",
        path.join(this.o.programs.binDir, "pg_ctl"),
        "--pgport",
        String(plan.port),
        "--hostname",
        plan.address,
        "--listen",
        plan.address,
        "--no-ssl",
        "--skip-pg-hba",
      ],
      cwd: home.dir,
      env: this.env,
      logFile: home.logFile,
      timeoutMs: CREATE_TIMEOUT_MS,
    });
  }

  /** One query on the monitor's pg_auto_failover database. */
  query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], timeoutMs = 5000): Promise<T[]> {
    return queryOnce<T>(this.address, "pg_auto_failover", sql, params, timeoutMs);
  }
}
