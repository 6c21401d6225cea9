// platform external: a topology the drill did not start (a team's staging). It starts no database,
// app or proxy: the drill file's `external` section names each region's client endpoint, database
// connection string and the user's own Toxiproxy proxies, and this class presents them to the runner,
// the nemesis and the managers as any topology. What the drill changes there (a fault's toxics, a cut
// proxy) the faults undo at their heal; dispose() checks again and restores every proxy to how it was
// found, on every exit path. Nothing of the user's is ever stopped.
import { drillSecrets } from "../drill/redact.ts";
import { lookup } from "node:dns/promises";
import { isIPv4 } from "node:net";
import type { DnsEndpoint, DnsProvider } from "../dns/provider.ts";
import { startDnsProvider } from "../dns/providers.ts";
import type { Drill, OutageMode } from "../drill/types.ts";
import { engineFor } from "../engines/registry.ts";
import type { Address, DatabaseEngine, DatabaseNode } from "../engines/types.ts";
import type { HookTopology } from "../hooks/environment.ts";
import type { ManagedProcess } from "../platform/processes.ts";
import { Workspace } from "../platform/workspace.ts";
import { ProxyControl } from "../toxiproxy/client.ts";
import type { TopologyOptions } from "./base.ts";
import {
  region,
  TopologyStartError,
  type LinkInfo,
  type RegionLayout,
  type RunningTopology,
  type TopologyLayout,
} from "./topology.ts";

type ExternalSpec = NonNullable<Drill["external"]>;

/** A proxy as found when the drill started. */
interface FoundProxy {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: string[];
}

/** Toxics the drill's faults add are named `fault-<index>-...` (src/faults/); only those are removed. */
const DRILL_TOXIC = /^fault-\d+-/;

/** "127.0.0.1:8080" or "[::1]:8080" -> host and port. */
export function parseHostPort(text: string): Address {
  const at = text.lastIndexOf(":");
  return { host: text.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(text.slice(at + 1)) };
}

/** An IPv4 address for a host (clients dial addresses; the drill's resolver knows no other names). */
async function ipv4(host: string): Promise<string> {
  if (isIPv4(host)) return host;
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch (err) {
    throw new TopologyStartError(`cannot resolve ${host}: ${(err as Error).message}`, { cause: err });
  }
}

export class ExternalTopology implements RunningTopology {
  readonly engine: DatabaseEngine;
  readonly nodes = new Map<string, DatabaseNode>();
  readonly proxies: ProxyControl;
  layout!: TopologyLayout;
  dns!: DnsProvider;
  /** Clients hold every regional endpoint here: no DNS resolvers of the drill's stand in front of them. */
  readonly siteResolvers: ReadonlyMap<string, DnsEndpoint> = new Map();
  /** Every proxy the drill file names, as it was found: what dispose() restores. */
  private found = new Map<string, FoundProxy>();
  private disposed = false;

  private constructor(
    readonly drill: Drill,
    private readonly spec: ExternalSpec,
    private readonly workspace: Workspace,
    private readonly options: TopologyOptions,
  ) {
    this.engine = engineFor(drill.database.engine);
    this.proxies = new ProxyControl(spec.toxiproxy);
  }

  static async start(drill: Drill, options: TopologyOptions = {}): Promise<ExternalTopology> {
    const spec = drill.external;
    if (spec === undefined) throw new TopologyStartError("platform external needs the external section");
    // A workspace for hook logs and whatever the hooks leave; the drill's own data lives elsewhere.
    const workspace = await Workspace.create(drill.name, { keep: options.keep ?? false });
    const topology = new ExternalTopology(drill, spec, workspace, options);
    try {
      await topology.bringUp();
      return topology;
    } catch (err) {
      await topology.dispose();
      if (err instanceof TopologyStartError) throw err;
      throw new TopologyStartError(`external environment: ${(err as Error).message}`, { cause: err });
    }
  }

  get workspaceDir(): string {
    return this.workspace.dir;
  }

  private async bringUp(): Promise<void> {
    await this.findProxies();
    const regions: RegionLayout[] = [];
    for (const r of this.drill.regions) {
      const own = this.regionSpec(r.name);
      const db = new URL(own.database);
      regions.push({
        name: r.name,
        role: r.role,
        address: await ipv4(own.endpoint.host),
        dbPort: db.port === "" ? 5432 : Number(db.port),
        appPort: own.endpoint.port,
      });
      this.nodes.set(r.name, this.engine.connect(r.name, own.database));
    }
    // The loader holds every endpoint to one port.
    this.layout = { regions, servicePort: regions[0]!.appPort, links: this.links(regions) };
    this.options.log?.(
      `external environment: ${regions.map((r) => `${r.name} at ${r.address}:${r.appPort}`).join(", ")}; ` +
        `proxies at ${this.spec.toxiproxy} (${this.found.size} named)`,
    );
    // The drill's own DNS name for its steady-state check; its clients hold every regional endpoint.
    this.dns = await startDnsProvider(this.drill.dns.server, { host: "127.0.0.1" });
    const primary = regions.find((r) => r.role === "primary")!;
    await this.dns.setRecord(this.drill.dns.name, primary.address, this.drill.dns.ttlMs);
  }

  private regionSpec(name: string): ExternalSpec["regions"][number] {
    const own = this.spec.regions.find((r) => r.name === name);
    if (own === undefined) throw new TopologyStartError(`external.regions has no entry for ${name}`);
    return own;
  }

  /** Every named proxy must exist and be enabled; what they look like now is what dispose() restores. */
  private async findProxies(): Promise<void> {
    const listed = await this.proxies.list();
    const named = this.spec.regions.flatMap((r) => [
      ...(r.proxies?.client === undefined ? [] : [r.proxies.client]),
      ...(r.proxies?.["app-db"] === undefined ? [] : [r.proxies["app-db"]]),
      ...Object.values(r.proxies?.replication ?? {}),
    ]);
    const missing = named.filter((name) => !listed.some((p) => p.name === name));
    if (missing.length > 0) {
      throw new TopologyStartError(
        `no proxy named ${missing.join(", ")} at ${this.spec.toxiproxy} ` +
          `(it has: ${listed.map((p) => p.name).join(", ") || "none"})`,
      );
    }
    for (const p of listed) if (named.includes(p.name)) this.found.set(p.name, p);
    const disabled = [...this.found.values()].filter((p) => !p.enabled).map((p) => p.name);
    if (disabled.length > 0) {
      throw new TopologyStartError(`proxies ${disabled.join(", ")} are disabled; enable them before a drill`);
    }
  }

  /** The user's proxies as the layout's links (listen and upstream as their server reports them). */
  private links(regions: RegionLayout[]): LinkInfo[] {
    const link = (proxy: string, kind: LinkInfo["kind"], from: string, to: string): LinkInfo => {
      const found = this.found.get(proxy)!;
      return {
        proxy,
        kind,
        from,
        to,
        listen: parseHostPort(found.listen),
        upstream: parseHostPort(found.upstream),
      };
    };
    return regions.flatMap((r) => {
      const p = this.regionSpec(r.name).proxies;
      return [
        ...(p?.client === undefined ? [] : [link(p.client, "client", "clients", r.name)]),
        ...(p?.["app-db"] === undefined ? [] : [link(p["app-db"], "app-db", r.name, r.name)]),
        ...Object.entries(p?.replication ?? {}).map(([to, proxy]) => link(proxy, "replication", r.name, to)),
      ];
    });
  }

  node(name: string): DatabaseNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no database node in region ${name}`);
    return node;
  }

  regionLayout(name: string): RegionLayout {
    return region(this.layout, name);
  }

  hookTopology(): HookTopology {
    return {
      drill: this.drill.name,
      cwd: this.drill.app.workingDir,
      workspace: this.workspace.dir,
      secrets: drillSecrets(this.drill),
      toxiproxyUrl: this.spec.toxiproxy,
      regions: this.drill.regions.map((r) => {
        const own = this.regionSpec(r.name);
        return {
          name: r.name,
          role: r.role,
          databaseUrl: own.database,
          endpoint: `${own.endpoint.host}:${own.endpoint.port}`,
        };
      }),
    };
  }

  /**
   * Only the network can fail here (the loader allows no other mode): the nemesis cuts the region's
   * proxies, and nothing happens to the user's processes. A process kill is a hook fault's business.
   */
  injectRegionOutage(regionName: string, mode: OutageMode): Promise<() => Promise<void>> {
    if (mode !== "network") {
      return Promise.reject(
        new Error(`${regionName}: on platform external a region outage is mode network only, not ${mode}`),
      );
    }
    return Promise.resolve(async () => {});
  }

  /** The apps are the user's: none of them is a process the drill started. */
  appProcesses(): ReadonlyMap<string, ManagedProcess> {
    return new Map();
  }

  /** The user's stack re-points its standbys; the drill does not reconfigure their databases. */
  repointStandbys(): Promise<string[]> {
    return Promise.resolve([]);
  }

  /**
   * Every proxy back as it was found: enabled again, and without any toxic a fault of the drill added
   * (their own toxics stay). Then the drill's DNS server and workspace go. Every step runs even when
   * one fails.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const errors: string[] = [];
    try {
      await this.restoreProxies();
    } catch (err) {
      errors.push((err as Error).message);
    }
    for (const step of [() => this.dns?.close(), () => this.workspace.remove()]) {
      try {
        await step();
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length > 0) this.options.log?.(`teardown problems: ${errors.join("; ")}`);
  }

  private async restoreProxies(): Promise<void> {
    if (this.found.size === 0) return;
    const now = await this.proxies.list();
    await Promise.all(
      now.map(async (p) => {
        const was = this.found.get(p.name);
        if (was === undefined) return;
        for (const toxic of p.toxics) {
          if (DRILL_TOXIC.test(toxic) && !was.toxics.includes(toxic))
            await this.proxies.removeToxic(p.name, toxic);
        }
        // Whatever reason the drill still held it for, the user gets their proxy back.
        if (was.enabled && !p.enabled) await this.proxies.release(p.name);
      }),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
