// What pg_auto_failover did, as the drill's failover events: the monitor decides and the drill only
// watches. Every pollMs it reads the new rows of the monitor's event table (pgautofailover.event) and
// records each as a manager-event (with the monitor's own timestamp) and the failover steps they
// amount to (follow.ts) as ManagerEvents; a second loop proves the promoted node writable the way the
// built-in controller's promotion does, with a canary commit. Each step is recorded when seen: up to
// one poll interval (pollMs in the event) after the monitor's own timestamp (atMs in its manager-event).
import pg from "pg";
import type { Address, DatabaseEngine, DatabaseNode } from "../../engines/types.ts";
import { pause } from "../../util/abort.ts";
import { ManagerEvents } from "../events.ts";
import type { FailoverManager, ManagerContext } from "../types.ts";
import { FailoverFollower, type MonitorEvent, type Step } from "./follow.ts";
import { closeClient } from "./sql.ts";

export const PG_AUTO_FAILOVER_POLL_MS = 100;
const QUERY_TIMEOUT_MS = 1000;
const MANAGER = "pg_auto_failover";

const EVENTS_SQL = `SELECT eventid, eventtime, nodename, reportedstate::text AS reported, goalstate::text AS goal,
  description FROM pgautofailover.event WHERE eventid > $1 ORDER BY eventid`;

interface EventRow {
  eventid: string;
  eventtime: Date;
  nodename: string;
  reported: string;
  goal: string;
  description: string | null;
}

export interface ObserverOptions extends Pick<ManagerContext, "drill" | "history"> {
  monitor: Address;
  nodes: ReadonlyMap<string, DatabaseNode>;
  engine: Pick<DatabaseEngine, "canaryWrite">;
  pollMs?: number;
}

export class PgAutoFailoverObserver implements FailoverManager {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly events: ManagerEvents;
  private readonly pollMs: number;
  private readonly follower: FailoverFollower;
  /** The wall-clock time of the drill clock's zero, to put the monitor's timestamps on it. */
  private readonly clockZeroMs: number;
  private lastEventId: number | null = null;
  private client: pg.Client | undefined;
  /** A promoted node whose PostgreSQL has not yet committed the canary. */
  private awaitingWritable: string | null = null;

  constructor(private readonly o: ObserverOptions) {
    this.events = new ManagerEvents(o.history);
    this.pollMs = o.pollMs ?? PG_AUTO_FAILOVER_POLL_MS;
    this.follower = new FailoverFollower(o.drill.regions.find((r) => r.role === "primary")!.name);
    this.clockZeroMs = Date.parse(o.history.clock.startedAt);
  }

  start(): void {
    this.loop ??= Promise.all([this.every(() => this.pollEvents()), this.every(() => this.pollWritable())])
      .then(() => {})
      .catch((err: unknown) => {
        if (!this.abort.signal.aborted)
          this.events.failed({ error: `pg_auto_failover observer: ${(err as Error).message}` });
      });
  }

  async stop(): Promise<void> {
    this.abort.abort("pg_auto_failover observer stopped");
    await this.loop;
    if (this.client !== undefined) await closeClient(this.client);
    this.client = undefined;
  }

  private async every(poll: () => Promise<void>): Promise<void> {
    const signal = this.abort.signal;
    let next = performance.now();
    while (!signal.aborted) {
      await poll();
      next += this.pollMs;
      // A poll that overran does not leave a backlog of immediate ones behind it.
      next = Math.max(next, performance.now());
      await pause(next - performance.now(), signal);
    }
  }

  /** One connection kept open (a new one per poll would cost more than the query). */
  private async monitorClient(): Promise<pg.Client> {
    if (this.client !== undefined) return this.client;
    const client = new pg.Client({
      ...this.o.monitor,
      user: "postgres",
      database: "pg_auto_failover",
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      application_name: "failover-drill-observer",
    });
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (err) {
      await closeClient(client);
      throw err;
    }
    this.client = client;
    return client;
  }

  private async pollEvents(): Promise<void> {
    let rows: EventRow[];
    try {
      const client = await this.monitorClient();
      if (this.lastEventId === null) {
        // What happened before the drill watched (the formation's start) is not news.
        const [row] = (
          await client.query<{ max: string | null }>("SELECT max(eventid) FROM pgautofailover.event")
        ).rows;
        this.lastEventId = Number(row?.max ?? 0);
        return;
      }
      rows = (await client.query<EventRow>(EVENTS_SQL, [this.lastEventId])).rows;
    } catch {
      // The monitor is down, frozen or cut off (it may live in a failed region): nothing to see.
      const client = this.client;
      this.client = undefined;
      if (client !== undefined) await closeClient(client);
      return;
    }
    if (this.abort.signal.aborted) return;
    for (const row of rows) {
      const event: MonitorEvent = {
        eventId: Number(row.eventid),
        atMs: row.eventtime.getTime() - this.clockZeroMs,
        node: row.nodename,
        reported: row.reported,
        goal: row.goal,
        description: row.description ?? "",
      };
      this.lastEventId = event.eventId;
      this.events.managerEvent({
        manager: MANAGER,
        atMs: event.atMs,
        what: event.description,
        pollMs: this.pollMs,
        eventId: event.eventId,
        node: event.node,
        reported: event.reported,
        goal: event.goal,
      });
      for (const step of this.follower.step(event)) this.record(step);
    }
  }

  private record(step: Step): void {
    const how = `${step.event.description} (monitor event ${step.event.eventId} at ${Math.round(step.event.atMs)} ms)`;
    const seen = { by: MANAGER, how, pollMs: this.pollMs };
    switch (step.kind) {
      case "health-bad":
        this.events.probeFailed({
          region: step.region,
          error: `monitor health check: ${step.event.description}`,
          consecutive: 1,
        });
        break;
      case "detected":
        this.events.detected({ region: step.region, ...seen });
        break;
      case "promoting":
        this.events.promoting({ region: step.region, ...seen });
        this.awaitingWritable = step.region;
        break;
      case "fenced":
        // The monitor stops counting on the old primary (it assigns it demoted; a dead one cannot act).
        this.events.fenced({ region: step.region, by: MANAGER });
        break;
      case "routed":
        this.events.routeSwitched({
          router: "libpq target_session_attrs=read-write",
          region: step.region,
          pollMs: this.pollMs,
        });
        break;
    }
  }

  /** The promoted node proves writable as the built-in controller's does: a committed canary row. */
  private async pollWritable(): Promise<void> {
    const region = this.awaitingWritable;
    if (region === null) return;
    const node = this.o.nodes.get(region);
    if (node === undefined) return;
    try {
      if ((await node.role(QUERY_TIMEOUT_MS)) !== "primary") return;
      // default_transaction_read_only stays on until pg_auto_failover lets the node take writes.
      await this.o.engine.canaryWrite(node, region);
    } catch {
      return; // not yet
    }
    if (this.abort.signal.aborted || this.awaitingWritable !== region) return;
    this.awaitingWritable = null;
    this.events.writable({ region, pollMs: this.pollMs });
  }
}
