// A Patroni drill's database as a topology runs it (ManagedDatabase): per region a Patroni member with
// its PostgreSQL, the region's DCS member and, with routing haproxy, its HAProxy; plus the DCS witness
// outside the regions. Started in the order Patroni needs (DCS, the drill's primary, which bootstraps
// the cluster, then the standbys, which clone it through their replication proxies, then the load
// balancers) and taken down per region as a region outage says. The processes are the platform's:
// local processes (local.ts) or containers (docker.ts); this file only orders them.
import type { OutageMode } from "../../drill/types.ts";
import type { HaproxySpec, PatroniSpec, Routing } from "../../drill/format/patroni.ts";
import { postgresUrl } from "../../engines/postgres/url.ts";
import type { DatabaseNode } from "../../engines/types.ts";
import { sleep } from "../../util/abort.ts";
import { waitUntil } from "../../util/wait.ts";
import type { AppDatabase, ManagedDatabase, ManagedDatabaseRequest } from "../local-database.ts";
import { upServers } from "./haproxy-state.ts";
import type { PatroniPlan } from "./plan.ts";

export interface PatroniSettings {
  patroni: PatroniSpec;
  haproxy: HaproxySpec | undefined;
  routing: Routing;
}

/** etcd, HAProxy or the Raft witness: a process (src/platform/service.ts) or a container. */
export interface StackService {
  start(wait?: boolean): Promise<void>;
  waitReady(): Promise<void>;
  kill(): Promise<void>;
  stop(graceMs: number): Promise<void>;
  pause(): Promise<void>;
  /** After any outage: thawed, started again if it died, reconnected, and ready. */
  heal(): Promise<void>;
}

/** A Patroni member with its PostgreSQL, as the cluster drives it. */
export interface PatroniMemberNode extends DatabaseNode {
  /** Patroni's REST API as the drill reaches it. */
  readonly restUrl: string;
  readonly paused: boolean;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/** What a platform started for the drill, region by region. */
export interface PatroniParts<N extends PatroniMemberNode> {
  nodes: N[];
  /** The DCS member of each region (etcd), none under Raft (Patroni is the member). */
  dcs: Map<string, StackService>;
  witness: StackService | undefined;
  haproxies: Map<string, StackService>;
  /** Each region's HAProxy stats socket, as the drill reads it. */
  statsSockets: Map<string, string>;
  /** etcd members' client URLs as the drill reaches them (for the observer's view of the DCS leader). */
  etcdUrls: Map<string, string>;
  /**
   * A network outage of the region's processes, where the platform can cut them off (containers leave
   * the drill's networks). Without it the links are the nemesis' part and the region's DCS member,
   * whose peer mesh is not proxied, is frozen instead.
   */
  isolate?(region: string): Promise<() => Promise<void>>;
  /** Freezes Patroni but not its PostgreSQL (Raft: the region's DCS member lives inside Patroni). */
  freezeManager?(region: string): void;
}

export type PatroniContext = Pick<ManagedDatabaseRequest, "drill" | "layout" | "log"> & {
  workspaceDir: string;
};

/** Running clusters by workspace directory, so the observer finds the one its topology runs. */
const running = new Map<string, PatroniCluster<PatroniMemberNode>>();

/** How long every HAProxy may take to route to the bootstrapped primary only (checks every inter). */
const HAPROXY_SETTLE_MS = 30_000;
/** How long a stopped etcd or HAProxy gets before SIGKILL. */
export const SERVICE_STOP_GRACE_MS = 5000;

async function httpOk(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export class PatroniCluster<N extends PatroniMemberNode> implements ManagedDatabase<N> {
  readonly nodes: N[];
  readonly links;
  readonly statsSockets: Map<string, string>;

  constructor(
    private readonly context: PatroniContext,
    readonly plan: PatroniPlan,
    private readonly settings: PatroniSettings,
    private readonly parts: PatroniParts<N>,
  ) {
    this.links = plan.links;
    this.nodes = parts.nodes;
    this.statsSockets = parts.statsSockets;
    running.set(context.workspaceDir, this);
  }

  /** The cluster the topology with this workspace runs. */
  static of(workspaceDir: string): PatroniCluster<PatroniMemberNode> | undefined {
    return running.get(workspaceDir);
  }

  /** etcd only: every member's name and client URL, for the observer's view of the DCS leader. */
  get etcdMembers(): Array<{ name: string; url: string }> {
    return [...this.parts.etcdUrls].map(([name, url]) => ({ name, url }));
  }

  private node(region: string): N {
    const node = this.nodes.find((n) => n.name === region);
    if (node === undefined) throw new Error(`no Patroni member in region ${region}`);
    return node;
  }

  private get dcsServices(): StackService[] {
    return [...(this.parts.witness === undefined ? [] : [this.parts.witness]), ...this.parts.dcs.values()];
  }

  appDatabase(region: string): AppDatabase {
    const member = this.plan.members.find((m) => m.region === region);
    if (member === undefined) throw new Error(`no Patroni member in region ${region}`);
    const appDb = this.context.layout.links.find(
      (l) => l.kind === "app-db" && l.from === region && l.to === region,
    );
    if (appDb === undefined) throw new Error(`no app-db link for ${region}`);
    if (this.settings.routing === "haproxy")
      return { upstream: member.haproxy!, url: postgresUrl(appDb.listen) };
    // DNS sends clients to the primary's region; its app writes to its own member.
    if (this.settings.routing === "dns")
      return { upstream: { host: member.address, port: member.pgPort }, url: postgresUrl(appDb.listen) };
    const hosts = [appDb.listen, ...(this.plan.clientHosts.get(region) ?? [])];
    return {
      upstream: { host: member.address, port: member.pgPort },
      url:
        `postgres://postgres@${hosts.map((h) => `${h.host}:${h.port}`).join(",")}/postgres` +
        "?target_session_attrs=read-write",
    };
  }

  async start(): Promise<void> {
    const { drill, log } = this.context;
    const primary = drill.regions.find((r) => r.role === "primary")!.name;
    await Promise.all(this.dcsServices.map((s) => s.start(false)));
    await Promise.all(this.dcsServices.map((s) => s.waitReady()));
    log(
      `patroni: DCS up (${this.settings.patroni.dcs}${this.parts.witness === undefined ? "" : " + witness"})`,
    );
    // The drill's primary bootstraps the cluster alone, so it is the one that takes the initialize key.
    const leader = this.node(primary);
    await leader.start();
    await waitUntil(() => httpOk(`${leader.restUrl}/primary`), {
      timeoutMs: 60_000,
      intervalMs: 100,
      retryErrors: false,
      describe: `${primary} to lead the Patroni cluster`,
    });
    await Promise.all(this.nodes.filter((n) => n !== leader).map((n) => n.start()));
    log(`patroni: ${primary} leads, ${this.nodes.length - 1} replica(s) running`);
    await Promise.all([...this.parts.haproxies.values()].map((h) => h.start()));
    await this.waitUntilRoutedTo(primary);
    // Start-up takes about as long every run, so a fault at a fixed time would always hit the
    // leader's HA loop at the same phase and sample one point of the ttl - loop_wait .. ttl range.
    // A random wait of up to one loop desynchronises them, as the built-in controller's random probe
    // phase does.
    const phaseMs = Math.random() * this.settings.patroni.loopWaitMs;
    log(`patroni: waiting ${Math.round(phaseMs)} ms (a random phase of the HA loop)`);
    await sleep(phaseMs);
  }

  /** Until every HAProxy routes to `region`'s member only (a new HAProxy starts with every server up). */
  private async waitUntilRoutedTo(region: string): Promise<void> {
    for (const [where, socket] of this.statsSockets) {
      let up: string[] = [];
      await waitUntil(
        async () => {
          up = await upServers(socket);
          return up.length === 1 && up[0] === region;
        },
        {
          timeoutMs: HAPROXY_SETTLE_MS,
          intervalMs: 100,
          describe: () => `HAProxy in ${where} to route to ${region} only (up: ${up.join(", ") || "none"})`,
        },
      );
    }
  }

  async injectOutage(region: string, mode: OutageMode): Promise<() => Promise<void>> {
    const node = this.node(region);
    const dcs = this.parts.dcs.get(region);
    const haproxy = this.parts.haproxies.get(region);
    let reconnect: (() => Promise<void>) | undefined;
    switch (mode) {
      case "kill":
        await Promise.all([node.kill(), dcs?.kill(), haproxy?.kill()]);
        break;
      case "stop":
        await Promise.all([
          node.stop(),
          dcs?.stop(SERVICE_STOP_GRACE_MS),
          haproxy?.stop(SERVICE_STOP_GRACE_MS),
        ]);
        break;
      case "pause":
        await node.pause();
        await Promise.all([dcs?.pause(), haproxy?.pause()]);
        break;
      case "network":
        if (this.parts.isolate !== undefined) {
          reconnect = await this.parts.isolate(region);
          break;
        }
        // The links are cut by the nemesis; the DCS peer mesh is not proxied (every peer dials one
        // advertised address), so the region's DCS member is frozen: to its peers that is what an
        // isolated member looks like. Under Raft the member lives inside Patroni.
        if (dcs !== undefined) await dcs.pause();
        else this.parts.freezeManager?.(region);
        break;
    }
    let healed: Promise<void> | undefined;
    return () => (healed ??= this.heal(region, reconnect));
  }

  private async heal(region: string, reconnect: (() => Promise<void>) | undefined): Promise<void> {
    const node = this.node(region);
    await reconnect?.();
    await this.parts.dcs.get(region)?.heal();
    if (node.paused) await node.resume();
    if (!node.running) await node.start();
    await this.parts.haproxies.get(region)?.heal();
  }

  async dispose(): Promise<void> {
    running.delete(this.context.workspaceDir);
    // The drill is over: no graceful hand-over, nothing to wait for.
    await Promise.allSettled(this.nodes.map((n) => n.kill()));
  }
}
