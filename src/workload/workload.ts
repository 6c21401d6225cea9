// The client workload: `clients` concurrent clients issuing writes at `rate` in total, each write a
// unique, increasing id, sent over HTTP to the drill's DNS name. Every op is recorded as invoke then
// ok / fail / info. Each client has its own TTL-honouring DNS cache and keep-alive agent, as a real
// service instance would, so the measured DNS switch includes TTL expiry and connection reuse.
import http from "node:http";
import axios, { AxiosError, type AxiosInstance } from "axios";
import type { Clock } from "../clock.ts";
import { CachingResolver } from "../dns/resolver.ts";
import { Events } from "../history/types.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import { pause } from "../util/abort.ts";
import { classifyWrite, combineAttempts, type ClientObservation } from "./outcome.ts";
import type { OpType } from "../history/types.ts";

export interface WorkloadOptions {
  clients: number;
  ratePerSecond: number;
  durationMs: number;
  requestTimeoutMs: number;
  /** The service name clients resolve, and the port every region's client endpoint listens on. */
  serviceName: string;
  servicePort: number;
  dnsServer: { host: string; port: number };
  /**
   * dns: clients reach the service by its DNS name. client: clients hold every regional endpoint
   * (first = where they start) and move to the next one after a failed attempt.
   */
  failover?: "dns" | "client";
  endpoints?: Endpoint[];
  /** Where a write is POSTed, with {{id}} for its id; default /writes/{{id}} (the reference app's). */
  writePath?: string;
  /** Attempts per write with the same id (idempotent), and the pause between them. */
  retry?: { attempts: number; backoffMs: number };
  history: HistoryRecorder;
  clock: Clock;
  signal?: AbortSignal;
}

export interface Endpoint {
  region: string;
  host: string;
  port: number;
}

/** Shared id source: one process, so ids are unique and increase in invoke order. */
class IdSequence {
  private next = 1;
  take(): number {
    return this.next++;
  }
}

export async function runWorkload(o: WorkloadOptions): Promise<void> {
  const ids = new IdSequence();
  const intervalMs = (o.clients * 1000) / o.ratePerSecond;
  const deadline = performance.now() + o.durationMs;
  const clients = Array.from({ length: o.clients }, (_, client) => new WorkloadClient(client, o));
  try {
    // Stagger starts so clients don't fire in lockstep.
    await Promise.all(clients.map((c, i) => c.run(ids, intervalMs, (i * intervalMs) / o.clients, deadline)));
  } finally {
    for (const c of clients) c.close();
  }
}

class WorkloadClient {
  private readonly agent: http.Agent;
  private readonly http: AxiosInstance;
  /** Client failover: index into o.endpoints of the endpoint this client currently uses. */
  private endpoint = 0;

  constructor(
    readonly client: number,
    private readonly o: WorkloadOptions,
  ) {
    const resolver = new CachingResolver({
      server: o.dnsServer,
      clock: o.clock,
      timeoutMs: Math.min(500, o.requestTimeoutMs),
      onLookup: (name, answer) =>
        o.history.append(client, "info", Events.resolve, {
          name,
          address: answer.address,
          ttlMs: answer.ttlMs,
        }),
    });
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, lookup: resolver.lookup });
    this.http = axios.create({
      httpAgent: this.agent,
      timeout: o.requestTimeoutMs,
      proxy: false,
      validateStatus: () => true,
      // Responses are tiny JSON; no redirects in this protocol.
      maxRedirects: 0,
    });
  }

  private get clientFailover(): boolean {
    return this.o.failover === "client" && (this.o.endpoints?.length ?? 0) > 0;
  }

  private baseUrl(): string {
    if (!this.clientFailover) return `http://${this.o.serviceName}:${this.o.servicePort}`;
    const e = this.o.endpoints![this.endpoint]!;
    return `http://${e.host}:${e.port}`;
  }

  async run(ids: IdSequence, intervalMs: number, offsetMs: number, deadline: number): Promise<void> {
    let next = performance.now() + offsetMs;
    while (true) {
      const wait = next - performance.now();
      if (wait > 0) await pause(wait, this.o.signal);
      if (this.o.signal?.aborted || performance.now() >= deadline) return;
      await this.write(ids.take());
      // Keep the target rate, but never burst to catch up after a slow request (a slow system gets
      // fewer requests, like a real client pool with one request in flight per worker).
      next = Math.max(next + intervalMs, performance.now());
    }
  }

  private async write(id: number): Promise<void> {
    const { history } = this.o;
    const attempts = Math.max(1, this.o.retry?.attempts ?? 1);
    history.append(this.client, "invoke", Events.write, { id });
    const outcomes: OpType[] = [];
    const errors: string[] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await pause(this.o.retry?.backoffMs ?? 0, this.o.signal);
      const observation = await this.attempt(id);
      const type = classifyWrite(observation);
      outcomes.push(type);
      if (type === "ok") {
        const region = (observation.body as { region?: string } | undefined)?.region ?? "unknown";
        history.append(this.client, "ok", Events.write, { id, region, attempts: attempt });
        return;
      }
      errors.push(
        observation.status !== undefined
          ? `HTTP ${observation.status}${describeBody(observation.body)}`
          : (observation.errorCode ?? "unknown error"),
      );
      if (this.clientFailover) this.moveToNextEndpoint();
      if (this.o.signal?.aborted) break;
    }
    const value = attempts > 1 ? { id, attempts: outcomes.length } : { id };
    history.append(this.client, combineAttempts(outcomes), Events.write, value, errors.join("; "));
  }

  private async attempt(id: number): Promise<ClientObservation> {
    try {
      const response = await this.http.post(this.baseUrl() + writePathFor(this.o.writePath, id));
      return { status: response.status, body: response.data };
    } catch (err) {
      return { errorCode: errorCode(err) };
    }
  }

  private moveToNextEndpoint(): void {
    const endpoints = this.o.endpoints!;
    this.endpoint = (this.endpoint + 1) % endpoints.length;
    const e = endpoints[this.endpoint]!;
    this.o.history.append(this.client, "info", Events.endpoint, { region: e.region, address: e.host });
  }

  close(): void {
    this.agent.destroy();
  }
}

function errorCode(err: unknown): string {
  if (err instanceof AxiosError) {
    const cause = (err.cause as { code?: string } | undefined)?.code;
    return err.code === "ERR_BAD_RESPONSE" || err.code === undefined ? (cause ?? err.message) : err.code;
  }
  return (err as { code?: string }).code ?? String(err);
}

function describeBody(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === "string" ? `: ${error}` : "";
}

/** The path a write with `id` is POSTed to: the app's write path with {{id}} filled in. */
export function writePathFor(template: string | undefined, id: number): string {
  return (template ?? "/writes/{{id}}").replaceAll("{{id}}", String(id));
}
