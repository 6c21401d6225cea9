// Where every process of a pg_auto_failover drill listens and which proxies join them. Pure apart from
// the port allocator it is given, so the wiring is tested on literal layouts.
//
// Per region R (address A_R): a keeper (pg_autoctl run) and the PostgreSQL it runs on A_R:dbPort_R,
// registered with the monitor as A_R:dbPort_R. The layout gives every database port free on every
// region address (ReplicationPorts database-port), so the replication proxy R.replication.X listens
// on A_R:dbPort_X; each keeper runs with PGHOSTADDR=A_R, so whatever of R dials X through libpq
// (walreceiver, pg_basebackup, pg_rewind, a fast-forward) reaches R's own proxy to X.
// The monitor listens on A_M:P_M, its port free on every address; keepers dial it (again through
// PGHOSTADDR) on their own address at P_M:
//   R.control.monitor (own site) / R.control.M.monitor (co-located in M)   keeper R -> the monitor
// The monitor itself runs with PGHOSTADDR=A_M, so its health check of X dials A_M:dbPort_X:
//   own site: monitor.control.X (a proxy per node); co-located in M: M.replication.X, the path from
//   M to X that replication uses too, and M's own node directly.
// Each region's app gets a libpq multi-host URL: its own node through its app-db proxy first, then
// every other region's node through R.app-db.X, with target_session_attrs=read-write.
import type { Address } from "../../engines/types.ts";
import type { PgAutoFailoverSpec } from "../../drill/format/pg-auto-failover.ts";
import { OWN_SITE } from "../../drill/format/pg-auto-failover.ts";
import { blockAddress, SITES } from "../../platform/address-block.ts";
import type { LinkInfo, TopologyLayout } from "../../topology/topology.ts";

/** The monitor's own site (controller.pgAutoFailover.monitor: own-site): outside every region. */
export const MONITOR_SITE = "monitor";
/** The monitor site's address in the run's loopback block (127.B.101.1). */
export const monitorSiteAddress = (layout: TopologyLayout): string =>
  blockAddress(layout.addressBlock ?? 0, SITES.monitor);

export interface MonitorPlan {
  /** The region it falls with; undefined on its own site. */
  region?: string;
  address: string;
  port: number;
  /** PGHOSTADDR of the monitor's processes: where its health checks dial the nodes' host:port. */
  hostaddr: string;
  /** What every keeper is given as --monitor. */
  uri: string;
}

export interface NodePlan {
  /** The region, which is also the node's pg_auto_failover name. */
  region: string;
  address: string;
  /** Where PostgreSQL listens, as registered with the monitor (the layout's dbPort). */
  port: number;
}

export interface PgAutoFailoverPlan {
  monitor: MonitorPlan;
  nodes: NodePlan[];
  links: LinkInfo[];
  /** Each region's app: the hosts of its multi-host URL, its own node first. */
  appHosts: Map<string, Address[]>;
}

export interface PlanInput {
  layout: TopologyLayout;
  monitor: PgAutoFailoverSpec["monitor"];
  /** A port free on every given address. */
  freePortOnAll(hosts: string[]): Promise<number>;
  /** A free port on one address. */
  freePort(host: string): Promise<number>;
}

function link(
  proxy: string,
  from: string,
  to: string,
  listen: Address,
  upstream: Address,
  kind: LinkInfo["kind"] = "control",
): LinkInfo {
  return { proxy, kind, from, to, listen, upstream };
}

/** The libpq URL of a monitor (trust authentication; the drill runs on loopback). */
export function monitorUri(address: Address): string {
  return `postgres://autoctl_node@${address.host}:${address.port}/pg_auto_failover?sslmode=disable`;
}

/** libpq's multi-host URL over `hosts`, keeping only a server that takes writes. */
export function multiHostUrl(hosts: readonly Address[]): string {
  return (
    `postgres://postgres@${hosts.map((h) => `${h.host}:${h.port}`).join(",")}/postgres` +
    "?target_session_attrs=read-write"
  );
}

export async function planPgAutoFailover(input: PlanInput): Promise<PgAutoFailoverPlan> {
  const { layout } = input;
  const regions = layout.regions;
  const coLocated = input.monitor === OWN_SITE ? undefined : regions.find((r) => r.name === input.monitor);
  if (input.monitor !== OWN_SITE && coLocated === undefined)
    throw new Error(`monitor region ${input.monitor} is not a region of the drill`);
  const monitorAddress = coLocated?.address ?? monitorSiteAddress(layout);
  const monitorSite = coLocated?.name ?? MONITOR_SITE;
  const port = await input.freePortOnAll([...new Set([monitorAddress, ...regions.map((r) => r.address)])]);
  const monitor: MonitorPlan = {
    ...(coLocated === undefined ? {} : { region: coLocated.name }),
    address: monitorAddress,
    port,
    hostaddr: monitorAddress,
    uri: monitorUri({ host: monitorAddress, port }),
  };

  const links: LinkInfo[] = [];
  for (const r of regions) {
    if (r === coLocated) continue;
    const name =
      coLocated === undefined ? `${r.name}.control.monitor` : `${r.name}.control.${monitorSite}.monitor`;
    links.push(link(name, r.name, monitorSite, { host: r.address, port }, { host: monitorAddress, port }));
  }
  if (coLocated === undefined) {
    for (const x of regions) {
      links.push(
        link(
          `${MONITOR_SITE}.control.${x.name}`,
          MONITOR_SITE,
          x.name,
          { host: monitorAddress, port: x.dbPort },
          { host: x.address, port: x.dbPort },
        ),
      );
    }
  }

  const appHosts = new Map<string, Address[]>();
  for (const from of regions) {
    const own = layout.links.find((l) => l.kind === "app-db" && l.from === from.name && l.to === from.name);
    if (own === undefined) throw new Error(`no app-db link for ${from.name}`);
    const hosts: Address[] = [own.listen];
    for (const to of regions) {
      if (to === from) continue;
      const listen = { host: from.address, port: await input.freePort(from.address) };
      links.push(
        link(
          `${from.name}.app-db.${to.name}`,
          from.name,
          to.name,
          listen,
          { host: to.address, port: to.dbPort },
          "app-db",
        ),
      );
      hosts.push(listen);
    }
    appHosts.set(from.name, hosts);
  }

  const nodes = regions.map((r) => ({ region: r.name, address: r.address, port: r.dbPort }));
  return { monitor, nodes, links, appHosts };
}
