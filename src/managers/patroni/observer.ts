// What Patroni did, as the drill's failover events: Patroni decides and the drill only watches. Every
// pollMs it asks each member's REST API for the cluster as the member sees it in the DCS (GET
// /cluster) and each region's HAProxy for the servers it has up (`show servers state`):
//   detected   a member other than the leader sees the leader key gone (it expired: ttl after the
//              leader's last renewal; or was released by a leader shutting down)
//   promoting  a member names a new leader (it took the leader key and promotes its PostgreSQL)
//   writable   the new leader's PostgreSQL left recovery and committed the drill's canary row
//   route-switch  a region's HAProxy has the new leader's server up (othersUp: servers still up
//              beside it, e.g. a stopped old leader HAProxy has not marked down yet)
//   dns-update (routing dns) the drill's DNS server answers the drill's name with another region's
//              address: Patroni's on_role_change callback updated it (nsupdate)
// Each is known to one poll interval (pollMs in the event). With etcd it also records which etcd member
// leads (dcs-leader): when an outage takes the etcd leader, etcd extends every lease on electing the
// next one, so the leader key outlives its ttl.
import { queryA, type DnsServerAddress } from "../../dns/resolver.ts";
import type { DatabaseEngine, DatabaseNode } from "../../engines/types.ts";
import { pause } from "../../util/abort.ts";
import { Events, Processes } from "../../history/types.ts";
import { ManagerEvents } from "../events.ts";
import type { FailoverManager, ManagerContext } from "../types.ts";
import { upServers } from "./haproxy-state.ts";

export const PATRONI_POLL_MS = 100;
/** How long a member that did not answer is left alone. */
const SILENT_MEMBER_RETRY_MS = 1000;
/** A member's last view counts this long. */
const VIEW_FRESH_MS = 1000;
/** The etcd leader changes rarely and only matters as context: polled less often. */
const DCS_POLL_MS = 500;
const REQUEST_TIMEOUT_MS = 300;

/** One member of GET /cluster. */
interface ClusterMember {
  name: string;
  role: string;
}

export interface WatchedMember {
  region: string;
  restUrl: string;
  node: DatabaseNode;
}

export interface ObserverOptions extends Pick<ManagerContext, "drill" | "history"> {
  members: WatchedMember[];
  engine: Pick<DatabaseEngine, "canaryWrite">;
  /** Each region's HAProxy stats socket (routing haproxy). */
  routers: ReadonlyMap<string, string>;
  /** dcs etcd: every member's name and client URL. */
  etcd?: ReadonlyArray<{ name: string; url: string }>;
  /** routing dns: the drill's DNS server, the name Patroni's callback updates and each region's address. */
  dns?: { server: DnsServerAddress; name: string; regionOf: ReadonlyMap<string, string> };
  pollMs?: number;
}

/** The leader a /cluster answer names; null when the leader key is gone. */
export function leaderOf(members: readonly ClusterMember[]): string | null {
  return members.find((m) => m.role === "leader" || m.role === "standby_leader")?.name ?? null;
}

/**
 * The cluster's leader as seen from every member that answered: a new leader L as soon as a member
 * other than L names it, or every member that answered does (a thawed or isolated old leader names
 * itself from a stale cache until its next HA loop); no leader as soon as a member other than
 * `current` sees none; else `current`.
 */
export function observedLeader(
  current: string | null,
  views: ReadonlyMap<string, string | null>,
): string | null {
  const named = [...views.values()];
  for (const [member, leader] of views) {
    if (leader === null || leader === current) continue;
    if (member !== leader || named.every((l) => l === leader)) return leader;
  }
  for (const [member, leader] of views) if (member !== current && leader === null) return null;
  return current;
}

async function clusterView(restUrl: string): Promise<string | null | undefined> {
  try {
    const response = await fetch(`${restUrl}/cluster`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!response.ok) {
      await response.arrayBuffer();
      return undefined;
    }
    const body = (await response.json()) as { members?: ClusterMember[] };
    return leaderOf(body.members ?? []);
  } catch {
    return undefined; // down, frozen or cut off: no view
  }
}

export class PatroniObserver implements FailoverManager {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly events: ManagerEvents;
  private readonly pollMs: number;
  private leader: string | null;
  /** A new leader whose PostgreSQL has not yet committed the canary. */
  private awaitingWritable: string | null = null;
  /** Per HAProxy, the leader it was last seen routing to alone. */
  private readonly routedTo = new Map<string, string>();
  private dcsLeader: string | undefined;
  /** Members that held the leader key earlier in this drill. */
  private readonly formerLeaders = new Set<string>();
  private confirming = false;
  /** routing dns: the address the drill's name was last seen pointing at. */
  private dnsAddress: string | undefined;
  /** Each member's latest answer to GET /cluster: the leader it names, and when. */
  private readonly views = new Map<string, { leader: string | null; atMs: number }>();

  constructor(private readonly o: ObserverOptions) {
    this.events = new ManagerEvents(o.history);
    this.pollMs = o.pollMs ?? PATRONI_POLL_MS;
    this.leader = o.drill.regions.find((r) => r.role === "primary")?.name ?? null;
    if (this.leader !== null) for (const router of o.routers.keys()) this.routedTo.set(router, this.leader);
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted)
        this.events.failed({ error: `patroni observer: ${(err as Error).message}` });
    });
  }

  async stop(): Promise<void> {
    this.abort.abort("patroni observer stopped");
    await this.loop;
  }

  /** Three fixed-rate loops, so a slow canary commit delays neither detection nor routing. */
  private async run(): Promise<void> {
    await Promise.all([
      // One loop per member, so a frozen member's timeouts slow no one else's view.
      ...this.o.members.map((m) => this.every(() => this.pollMember(m))),
      this.every(() => this.pollWritable()),
      this.every(() => this.pollRouters()),
      ...(this.o.dns === undefined ? [] : [this.every(() => this.pollDns())]),
      ...((this.o.etcd?.length ?? 0) > 0 ? [this.every(() => this.pollDcsLeader(), DCS_POLL_MS)] : []),
    ]);
  }

  private async every(poll: () => Promise<void>, intervalMs = this.pollMs): Promise<void> {
    const signal = this.abort.signal;
    let next = performance.now();
    while (!signal.aborted) {
      await poll();
      next += intervalMs;
      // A poll that overran does not leave a backlog of immediate ones behind it.
      next = Math.max(next, performance.now());
      await pause(next - performance.now(), signal);
    }
  }

  /**
   * One member's view of the cluster. A member that does not answer is asked again after a second:
   * a frozen REST API never accepts, and polling it every 100 ms would fill its listen backlog and
   * make Patroni's own calls to it time out sooner than they would in production.
   */
  private async pollMember(m: WatchedMember): Promise<void> {
    const view = await clusterView(m.restUrl);
    if (this.abort.signal.aborted) return;
    if (view === undefined) {
      this.views.delete(m.region);
      await pause(SILENT_MEMBER_RETRY_MS, this.abort.signal);
      return;
    }
    this.views.set(m.region, { leader: view, atMs: performance.now() });
    this.evaluate();
  }

  private evaluate(): void {
    const now = performance.now();
    const views = new Map<string, string | null>();
    for (const [region, v] of this.views) if (now - v.atMs <= VIEW_FRESH_MS) views.set(region, v.leader);
    if (views.size === 0) return;
    const seen = observedLeader(this.leader, views);
    if (seen === this.leader) return;
    const corroborated = [...views].some(([member, leader]) => member !== seen && leader === seen);
    if (seen !== null && this.formerLeaders.has(seen) && !corroborated) {
      // A former leader naming itself alone: right after it is reachable again its answer can be its
      // view from before it lost the key (seen on docker after a network outage). Believed only once
      // its PostgreSQL runs as primary, as it does when it really took the key back.
      void this.confirmReturn(seen, views);
      return;
    }
    this.accept(seen, views);
  }

  private async confirmReturn(seen: string, views: ReadonlyMap<string, string | null>): Promise<void> {
    const member = this.o.members.find((m) => m.region === seen);
    if (this.confirming || member === undefined) return;
    this.confirming = true;
    try {
      const role = await member.node.role(REQUEST_TIMEOUT_MS).catch(() => "unknown");
      if (role === "primary" && this.leader !== seen && !this.abort.signal.aborted) this.accept(seen, views);
    } finally {
      this.confirming = false;
    }
  }

  private accept(seen: string | null, views: ReadonlyMap<string, string | null>): void {
    const how = (what: string): string => `${what} (GET /cluster on ${[...views.keys()].join(", ")})`;
    if (this.leader !== null) {
      this.events.detected({
        region: this.leader,
        by: "patroni",
        how: how(seen === null ? `leader key of ${this.leader} gone` : `${seen} took the leader key`),
        pollMs: this.pollMs,
      });
    }
    if (seen !== null) {
      this.events.promoting({
        region: seen,
        by: "patroni",
        how: how(`${seen} holds the leader key`),
        pollMs: this.pollMs,
      });
      this.awaitingWritable = seen;
    }
    if (this.leader !== null) this.formerLeaders.add(this.leader);
    this.leader = seen;
  }

  /** The new leader proves writable the way the built-in controller's promotion does: a canary commit. */
  private async pollWritable(): Promise<void> {
    const region = this.awaitingWritable;
    if (region === null) return;
    const member = this.o.members.find((m) => m.region === region);
    if (member === undefined) return;
    try {
      if ((await member.node.role(REQUEST_TIMEOUT_MS)) !== "primary") return;
      await this.o.engine.canaryWrite(member.node, region);
    } catch {
      return; // not yet
    }
    if (this.abort.signal.aborted || this.awaitingWritable !== region) return;
    this.awaitingWritable = null;
    this.events.writable({ region, pollMs: this.pollMs });
  }

  private async pollRouters(): Promise<void> {
    const leader = this.leader;
    await Promise.all(
      [...this.o.routers].map(async ([router, socket]) => {
        let up: string[];
        try {
          up = await upServers(socket);
        } catch {
          return; // that region's HAProxy is down
        }
        if (leader === null || !up.includes(leader) || this.routedTo.get(router) === leader) return;
        this.routedTo.set(router, leader);
        if (this.abort.signal.aborted) return;
        this.events.routeSwitched({
          router: `haproxy ${router}`,
          region: leader,
          othersUp: up.filter((s) => s !== leader),
          pollMs: this.pollMs,
        });
      }),
    );
  }

  /** routing dns: records the drill's name moving to another region's address (the callback's update). */
  private async pollDns(): Promise<void> {
    const dns = this.o.dns!;
    let address: string;
    try {
      ({ address } = await queryA(dns.server, dns.name, { timeoutMs: REQUEST_TIMEOUT_MS, attempts: 1 }));
    } catch {
      return; // no answer this time
    }
    const previous = this.dnsAddress;
    this.dnsAddress = address;
    const region = dns.regionOf.get(address);
    // The first answer is the start-up record, not a change.
    if (previous === undefined || previous === address || region === undefined) return;
    if (this.abort.signal.aborted) return;
    this.events.routingChanged({
      name: dns.name,
      address,
      region,
      by: "patroni",
      how: "on_role_change callback (nsupdate)",
      pollMs: this.pollMs,
    });
  }

  /** Which etcd member leads, as the first member that answers says; recorded when it changes. */
  private async pollDcsLeader(): Promise<void> {
    for (const member of this.o.etcd ?? []) {
      const leader = await etcdLeader(member.url, this.o.etcd ?? []);
      if (leader === undefined) continue;
      if (leader !== this.dcsLeader && !this.abort.signal.aborted) {
        this.dcsLeader = leader;
        this.o.history.event(Processes.controller, Events.dcsLeader, { member: leader, pollMs: DCS_POLL_MS });
      }
      return;
    }
  }
}

interface EtcdStatus {
  header?: { member_id?: string };
  leader?: string;
}

/** The name of the etcd member that `url`'s member follows (from its status and the member list). */
async function etcdLeader(
  url: string,
  members: ReadonlyArray<{ name: string; url: string }>,
): Promise<string | undefined> {
  try {
    const post = (route: string): Promise<Response> =>
      fetch(`${url}${route}`, {
        method: "POST",
        body: "{}",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    const status = (await (await post("/v3/maintenance/status")).json()) as EtcdStatus;
    const list = (await (await post("/v3/cluster/member/list")).json()) as {
      members?: Array<{ ID?: string; name?: string }>;
    };
    if (status.leader === undefined || status.leader === "0") return undefined;
    const name = list.members?.find((m) => m.ID === status.leader)?.name;
    return name !== undefined && members.some((m) => m.name === name) ? name : undefined;
  } catch {
    return undefined;
  }
}
