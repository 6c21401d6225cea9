// The client workload: a population of virtual clients (src/workload/population.ts) sharing one
// total write rate. One scheduler, not a timer per client, hands each write (a unique, increasing id,
// POSTed over HTTP to the drill's DNS name or to a regional endpoint) to the next idle client, so a
// thousand mostly idle clients cost what a few busy ones do. Every op is recorded as invoke then
// ok / fail / info; every DNS answer a client gets from outside its own cache as a `resolve` event.
import { setMaxListeners } from "node:events";
import type { Clock } from "../clock.ts";
import { CachingResolver, queryA, type ClientResolver, type DnsAnswer } from "../dns/resolver.ts";
import { SharedResolver } from "../dns/shared-resolver.ts";
import { Events, Processes } from "../history/types.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import { pause } from "../util/abort.ts";
import { VirtualClient, type ClientSettings, type Endpoint } from "./client.ts";
import type { OpPlan } from "./ops.ts";
import { buildPopulation, type ClientProfile, type Population } from "./population.ts";

export { writePathFor, type Endpoint } from "./client.ts";

export interface WorkloadOptions {
  ratePerSecond: number;
  durationMs: number;
  requestTimeoutMs: number;
  /** The service name clients resolve, and the port every region's client endpoint listens on. */
  serviceName: string;
  servicePort: number;
  dnsServer: { host: string; port: number };
  /**
   * Real recursive resolvers by client site (dns.resolver unbound): a site's clients ask it instead of
   * `dnsServer`; its `shared` clients have no cache of their own (the resolver's is the shared one).
   */
  siteResolvers?: ReadonlyMap<string, { host: string; port: number }>;
  /**
   * Who the clients are. Default: `clients` clients, each with its own TTL-honouring cache and one
   * keep-alive connection.
   */
  population?: Population;
  /** With no population: how many such clients. */
  clients?: number;
  /** The fixed resolver profile's cache time; the max-age connection profile's lifetime. */
  fixedCacheMs?: number;
  maxConnectionAgeMs?: number;
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
  /** What each write does; unique inserts when absent. */
  ops?: OpPlan;
  /** Active-active: clients start at their own site's region (endpoints named by region). */
  startAtSite?: boolean;
  history: HistoryRecorder;
  clock: Clock;
  signal?: AbortSignal;
}

/** What the scheduler did: the achieved rate is `dispatched` over the duration. */
export interface WorkloadStats {
  /** Write slots the rate asked for. */
  scheduled: number;
  /** Writes handed to a client. */
  dispatched: number;
  /** Slots with every client still busy (waiting on a slow or timed-out request). */
  allBusy: number;
  /** Slots missed because the runner itself stalled for more than a second. */
  stalled: number;
}

/** A population with every client on the TTL-honouring cache and one keep-alive connection. */
export function uniformPopulation(clients: number, seed = 0): Population {
  return buildPopulation({
    clients,
    sites: ["clients"],
    resolver: { ttl: 1 },
    connections: { "keep-alive": 1 },
    seed,
    ttlMs: 0,
    fixedCacheMs: 0,
    maxConnectionAgeMs: 0,
  });
}

export async function runWorkload(o: WorkloadOptions): Promise<WorkloadStats> {
  const population = o.population ?? uniformPopulation(o.clients ?? 1);
  // Every client may wait on the drill's signal at once (retry back-offs): not a listener leak.
  if (o.signal !== undefined) setMaxListeners(0, o.signal);
  o.history.event(Processes.runner, Events.population, populationValue(population));
  const settings: ClientSettings = {
    requestTimeoutMs: o.requestTimeoutMs,
    serviceName: o.serviceName,
    servicePort: o.servicePort,
    failover: o.failover === "client" && (o.endpoints?.length ?? 0) > 0 ? "client" : "dns",
    endpoints: o.endpoints ?? [],
    writePath: o.writePath ?? "/writes/{{id}}",
    retry: o.retry ?? { attempts: 1, backoffMs: 0 },
    maxConnectionAgeMs: o.maxConnectionAgeMs ?? 30_000,
    ...(o.ops === undefined ? {} : { ops: o.ops }),
    ...(o.startAtSite === undefined ? {} : { startAtSite: o.startAtSite }),
    history: o.history,
    clock: o.clock,
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  };
  const resolvers = await ResolverSet.start(population, o, settings.failover === "dns");
  const clients = population.clients.map((p) => new VirtualClient(p, resolvers.forClient(p), settings));
  try {
    return await schedule(clients, o);
  } finally {
    for (const c of clients) c.close();
    resolvers.close();
  }
}

/** A scheduler more than this late (a stalled runner) drops the missed slots instead of sending them. */
const MAX_CATCH_UP_MS = 1000;

/**
 * Writes at the total rate (open loop, as k6's constant arrival rate), each to the client that has
 * been idle longest, so writes spread evenly. A slot with every client busy is dropped and counted: a
 * slow system gets fewer requests, as a fleet with one request in flight per client would send.
 * Timer lag is caught up (the slots are still sent, several per tick), except after a stall of more
 * than a second. O(1) per write whatever the number of clients.
 */
async function schedule(clients: VirtualClient[], o: WorkloadOptions): Promise<WorkloadStats> {
  const stats: WorkloadStats = { scheduled: 0, dispatched: 0, allBusy: 0, stalled: 0 };
  const intervalMs = 1000 / o.ratePerSecond;
  const deadline = performance.now() + o.durationMs;
  const idle = new IdleQueue(clients);
  const inFlight = new Set<Promise<void>>();
  let nextId = 1;
  let next = performance.now();
  while (!o.signal?.aborted) {
    const now = performance.now();
    if (now >= deadline) break;
    if (next < now - MAX_CATCH_UP_MS) {
      const missed = Math.floor((now - next) / intervalMs);
      stats.scheduled += missed;
      stats.stalled += missed;
      next += missed * intervalMs;
    }
    let due = next <= now ? Math.floor((Math.min(now, deadline) - next) / intervalMs) + 1 : 0;
    for (; due > 0; due--) {
      const client = idle.take();
      if (client === undefined) break;
      const write = client.write(nextId++).finally(() => {
        inFlight.delete(write);
        idle.put(client);
      });
      inFlight.add(write);
      stats.scheduled++;
      stats.dispatched++;
      next += intervalMs;
    }
    if (due > 0) {
      stats.scheduled += due;
      stats.allBusy += due;
      next += due * intervalMs;
    }
    const wait = Math.max(0, next - performance.now());
    // With every client busy, the next slot can only be used by a client that is done by then.
    await (idle.size > 0 ? pause(wait, o.signal) : Promise.race([pause(wait, o.signal), idle.whenPut()]));
  }
  await Promise.all(inFlight);
  return stats;
}

/** Idle clients, longest idle first. */
class IdleQueue {
  private readonly queue: VirtualClient[];
  private head = 0;
  private waiter: (() => void) | undefined;

  constructor(clients: VirtualClient[]) {
    this.queue = [...clients];
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  take(): VirtualClient | undefined {
    if (this.head >= this.queue.length) return undefined;
    const client = this.queue[this.head++];
    // Drop the consumed prefix now and then, so the array does not grow for the whole drill.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return client;
  }

  put(client: VirtualClient): void {
    this.queue.push(client);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** Resolves at the next put. */
  whenPut(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

/** Every client's resolver: its own cache, or a view of its site's shared resolver. */
class ResolverSet {
  private constructor(
    private readonly o: WorkloadOptions,
    private readonly initial: DnsAnswer | undefined,
    private readonly shared: Map<string, SharedResolver>,
  ) {}

  /** Caches start warm with the service's current answer, each as old as the population says. */
  static async start(population: Population, o: WorkloadOptions, byName: boolean): Promise<ResolverSet> {
    const initial = byName
      ? await queryA(o.dnsServer, o.serviceName, { timeoutMs: 1000 }).catch(() => undefined)
      : undefined;
    // A real resolver's cache starts with the first question: ask each one now, so all start warm.
    for (const server of new Set(o.siteResolvers?.values() ?? [])) {
      if (byName) await queryA(server, o.serviceName, { timeoutMs: 1000 }).catch(() => undefined);
    }
    const shared = new Map<string, SharedResolver>();
    for (const { site, cacheAgeMs } of population.sharedResolvers) {
      if (!population.clients.some((c) => c.resolver === "shared" && c.site === site)) continue;
      if (o.siteResolvers?.has(site)) continue; // the site's real resolver is the shared one
      const resolver = new SharedResolver({
        server: o.dnsServer,
        clock: o.clock,
        name: o.serviceName,
        timeoutMs: Math.min(500, o.requestTimeoutMs),
      });
      if (initial !== undefined) resolver.start(initial, cacheAgeMs);
      shared.set(site, resolver);
    }
    return new ResolverSet(o, initial, shared);
  }

  forClient(p: ClientProfile): ClientResolver {
    const { o } = this;
    const record = (name: string, answer: DnsAnswer): void => {
      o.history.append(p.client, "info", Events.resolve, {
        name,
        address: answer.address,
        ttlMs: answer.ttlMs,
      });
    };
    const shared = p.resolver === "shared" ? this.shared.get(p.site) : undefined;
    if (shared !== undefined) return shared.forClient(record);
    const siteResolver = o.siteResolvers?.get(p.site);
    const ownCache = p.resolver === "shared" && siteResolver !== undefined ? 0 : undefined;
    const cacheMs =
      ownCache ?? (p.resolver === "fixed" ? (o.fixedCacheMs ?? 30_000) : p.resolver === "none" ? 0 : "ttl");
    const resolver = new CachingResolver({
      server: siteResolver ?? o.dnsServer,
      clock: o.clock,
      timeoutMs: Math.min(500, o.requestTimeoutMs),
      cacheMs,
      onLookup: record,
    });
    if (this.initial !== undefined) resolver.prime(o.serviceName, this.initial, p.cacheAgeMs);
    return resolver;
  }

  close(): void {
    for (const r of this.shared.values()) r.close();
  }
}

/** The population as the history keeps it: one row per client, so checkers can group by profile. */
function populationValue(p: Population): Record<string, unknown> {
  return {
    seed: p.seed,
    sharedResolvers: p.sharedResolvers,
    clients: p.clients.map((c) => [
      c.client,
      c.site,
      c.resolver,
      c.connections,
      c.cacheAgeMs,
      c.connectionAgeMs,
    ]),
    columns: ["client", "site", "resolver", "connections", "cacheAgeMs", "connectionAgeMs"],
  };
}
