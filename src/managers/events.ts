// The steps a failover manager records, one method each, so every manager writes the events the
// checkers read (src/history/types.ts documents their shapes) with the same names and fields.
import type { HistoryRecorder } from "../history/recorder.ts";
import { Events, Processes } from "../history/types.ts";

export class ManagerEvents {
  constructor(
    private readonly history: HistoryRecorder,
    private readonly process: string = Processes.controller,
  ) {}

  private record(f: string, value: Record<string, unknown>): void {
    this.history.event(this.process, f, value);
  }

  /** A health check of the primary failed (`consecutive` in a row). */
  probeFailed(value: { region: string; error: string; consecutive: number }): void {
    this.record(Events.probeFail, value);
  }

  /**
   * The manager declared the primary down: t_decision, the end of detection. A manager observed from
   * outside (Patroni) says who decided (`by`), how it was seen (`how`) and how often it was polled.
   */
  detected(value: {
    region: string;
    consecutiveFailures?: number;
    by?: string;
    how?: string;
    pollMs?: number;
  }): void {
    this.record(Events.primaryDown, value);
  }

  /** A human was paged; promotion waits for them. */
  paged(value: { region: string; onCallDelayMs: number }): void {
    this.record(Events.page, value);
  }

  /** The old primary can no longer take client writes. */
  fenced(value: { region: string; proxies?: string[]; by?: string }): void {
    this.record(Events.fence, value);
  }

  /** Promotion of `region` was started. */
  promoting(value: {
    region: string;
    receivedLsn?: string;
    candidates?: unknown[];
    by?: string;
    how?: string;
    pollMs?: number;
  }): void {
    this.record(Events.promote, value);
  }

  /** The remaining standbys follow the new primary. */
  repointed(value: { to: string; standbys: string[] }): void {
    this.record(Events.repoint, value);
  }

  /** The new primary committed a write: t_writable, the end of promotion. */
  writable(value: { region: string; pollMs: number }): void {
    this.record(Events.writable, value);
  }

  /** Clients are sent to the new primary (a DNS record changed, a load balancer switched). */
  routingChanged(value: {
    name: string;
    address: string;
    region: string;
    /** A manager observed from outside: who changed it, how, and how often the drill looked. */
    by?: string;
    how?: string;
    pollMs?: number;
  }): void {
    this.record(Events.dnsUpdate, value);
  }

  /**
   * A load balancer (`router`, e.g. "haproxy us-west") routes to `region`'s member; `othersUp` are the
   * servers it still has up beside it.
   */
  routeSwitched(value: { router: string; region: string; othersUp?: string[]; pollMs: number }): void {
    this.record(Events.routeSwitch, value);
  }

  /**
   * Data residency: no region of `jurisdiction` is up, and the manager refuses to route its records
   * to `ineligible` regions of other jurisdictions: they stay unavailable until one comes back.
   */
  residencyRefused(value: {
    jurisdiction: string;
    down: string[];
    ineligible: string[];
    reason: string;
  }): void {
    this.record(Events.residencyRefused, value);
  }

  /** The failover could not be carried out. */
  failed(value: { error: string; candidates?: string[] }): void {
    this.record(Events.failoverFailed, value);
  }

  /**
   * A step as the manager itself recorded it (a row of pg_auto_failover's event table), seen up to
   * `pollMs` after `atMs`, its own timestamp on the drill's clock: evidence beside the steps above.
   */
  managerEvent(value: {
    manager: string;
    atMs: number;
    what: string;
    pollMs: number;
    [key: string]: unknown;
  }): void {
    this.record(Events.managerEvent, value);
  }
}
