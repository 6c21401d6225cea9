// One virtual client: its resolver (its own cache, or its site's shared resolver), its connection
// pool (one keep-alive socket, a socket per request, or a socket retired at a maximum age) and at
// most one write in flight. It owns no timer: the workload's scheduler hands it writes.
import http from "node:http";
import type { Socket } from "node:net";
import { msToNs, type Clock } from "../clock.ts";
import type { ClientResolver } from "../dns/resolver.ts";
import { Events, type OpType } from "../history/types.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import { pause } from "../util/abort.ts";
import { post } from "./http-post.ts";
import { classifyWrite, combineAttempts, type ClientObservation } from "./outcome.ts";
import { keyedPath, type OpPlan, type PlannedOp } from "./ops.ts";
import type { ClientProfile } from "./population.ts";

export interface Endpoint {
  region: string;
  host: string;
  port: number;
}

/** What every client of a workload shares. */
export interface ClientSettings {
  requestTimeoutMs: number;
  serviceName: string;
  servicePort: number;
  /** dns: reach the service by name. client: hold every regional endpoint, move on after a failure. */
  failover: "dns" | "client";
  endpoints: Endpoint[];
  writePath: string;
  retry: { attempts: number; backoffMs: number };
  maxConnectionAgeMs: number;
  /** What each write does (unique inserts when absent). */
  ops?: OpPlan;
  /** Active-active: each client starts at its own site's region, the nearest, and moves on from there. */
  startAtSite?: boolean;
  history: HistoryRecorder;
  clock: Clock;
  signal?: AbortSignal;
}

export class VirtualClient {
  private readonly agent: http.Agent;
  /** Client failover: index into endpoints of the endpoint this client currently uses. */
  private endpoint = 0;
  /** The pooled socket (max-age profile) and when it counts as opened, on the clock. */
  private socket: { socket: Socket; openedNs: number } | undefined;
  /** The first pooled socket counts as opened this long before the start (a fleet already running). */
  private firstSocketAgeMs: number;

  constructor(
    readonly profile: ClientProfile,
    resolver: ClientResolver,
    private readonly s: ClientSettings,
  ) {
    this.firstSocketAgeMs = profile.connectionAgeMs;
    if (s.startAtSite === true)
      this.endpoint = Math.max(
        0,
        s.endpoints.findIndex((e) => e.region === profile.site),
      );
    this.agent = new http.Agent({
      keepAlive: profile.connections !== "per-request",
      maxSockets: 1,
      lookup: resolver.lookup,
    });
  }

  get client(): number {
    return this.profile.client;
  }

  private get clientFailover(): boolean {
    return this.s.failover === "client" && this.s.endpoints.length > 0;
  }

  /** Where the next attempt goes: the service's name (resolved by the agent), or the current endpoint. */
  private target(): { host: string; port: number } {
    if (!this.clientFailover) return { host: this.s.serviceName, port: this.s.servicePort };
    const e = this.s.endpoints[this.endpoint]!;
    return { host: e.host, port: e.port };
  }

  /** One write with `id`: invoke, then ok / fail / info, retried with the same id as the drill says. */
  async write(id: number): Promise<void> {
    const { history, retry } = this.s;
    const attempts = Math.max(1, retry.attempts);
    const op = this.s.ops?.next(id, this.client, this.profile.site) ?? { op: "insert" };
    history.append(this.client, "invoke", Events.write, invokeValue(id, op));
    const outcomes: OpType[] = [];
    const errors: string[] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await pause(retry.backoffMs, this.s.signal);
      const observation = await this.attempt(id, op);
      const type = classifyWrite(observation);
      outcomes.push(type);
      if (type === "ok") {
        const body = observation.body as { region?: string; stamp?: number; prev?: unknown } | undefined;
        const region = body?.region ?? "unknown";
        // A keyed write's stamp and the version it replaced: what the conflict checkers read.
        const keyed = op.op === "insert" ? {} : { stamp: body?.stamp, prev: body?.prev };
        history.append(this.client, "ok", Events.write, { id, region, attempts: attempt, ...keyed });
        return;
      }
      errors.push(
        observation.status !== undefined
          ? `HTTP ${observation.status}${describeBody(observation.body)}`
          : (observation.errorCode ?? "unknown error"),
      );
      if (this.clientFailover) this.moveToNextEndpoint();
      if (this.s.signal?.aborted) break;
    }
    const value = attempts > 1 ? { id, attempts: outcomes.length } : { id };
    history.append(this.client, combineAttempts(outcomes), Events.write, value, errors.join("; "));
  }

  private async attempt(id: number, op: PlannedOp): Promise<ClientObservation> {
    this.retireOldSocket();
    const { socket, ...observation } = await post({
      ...this.target(),
      path: op.op === "insert" ? writePathFor(this.s.writePath, id) : keyedPath(op),
      agent: this.agent,
      timeoutMs: this.s.requestTimeoutMs,
    });
    if (socket !== undefined && socket !== null) this.noteSocket(socket);
    return observation;
  }

  /** max-age: the pooled socket that carried the last request, and when it was opened. */
  private noteSocket(socket: Socket): void {
    if (this.profile.connections !== "max-age" || this.socket?.socket === socket) return;
    const openedNs = this.s.clock.now() - msToNs(this.firstSocketAgeMs);
    this.firstSocketAgeMs = 0;
    this.socket = { socket, openedNs };
  }

  /** max-age: a socket past its age is closed before the next request, which then connects anew. */
  private retireOldSocket(): void {
    const held = this.socket;
    if (held === undefined) return;
    if (this.s.clock.now() - held.openedNs < msToNs(this.s.maxConnectionAgeMs)) return;
    this.socket = undefined;
    held.socket.destroy();
  }

  private moveToNextEndpoint(): void {
    this.endpoint = (this.endpoint + 1) % this.s.endpoints.length;
    const e = this.s.endpoints[this.endpoint]!;
    this.s.history.append(this.client, "info", Events.endpoint, { region: e.region, address: e.host });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A write's invoke: its id, and for a keyed op what it does to which key, with the client's clock. */
function invokeValue(id: number, op: PlannedOp): Record<string, unknown> {
  if (op.op === "insert") return { id };
  return { id, ...op, atMs: Date.now() };
}

function describeBody(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === "string" ? `: ${error}` : "";
}

/** The path a write with `id` is POSTed to: the app's write path with {{id}} filled in. */
export function writePathFor(template: string | undefined, id: number): string {
  return (template ?? "/writes/{{id}}").replaceAll("{{id}}", String(id));
}
