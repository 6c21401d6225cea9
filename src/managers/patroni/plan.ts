// Where every process of a Patroni drill listens and which proxies join them. Pure apart from the port
// allocator it is given, so the wiring is tested on literal layouts.
//
// Per region R (address A_R): PostgreSQL on A_R:dbPort (Patroni starts it), Patroni's REST API, the
// region's DCS member (etcd, or Patroni's own Raft node), and with routing haproxy an HAProxy on A_R.
// A member advertises A_X:P_X as its connect_address, where P_X is the port of every replication
// proxy to X (ReplicationPorts per-upstream-port); each member runs with PGHOSTADDR=A_R, so whatever
// of R dials X through libpq (walreceiver, pg_basebackup, pg_rewind) reaches R's own proxy to X.
// Cross-region traffic the drill controls, each ordered pair its own proxy on the dialling side:
//   R.app-db.X         HAProxy R (or R's app, under client routing) -> PostgreSQL X (not under dns
//                      routing: each app dials its own member, and DNS sends clients to the primary's)
//   R.control.X.rest   HAProxy R's health checks -> Patroni X's REST API
//   R.control.X.etcd   Patroni R -> etcd member X (and the witness member)
// One proxy per member, dialled by every peer (Patroni advertises one REST address per member):
//   X.control.rest     other members' Patroni -> X's REST API (a leader race asks every member)
// Not proxied (one advertised address per member, dialled by every peer, who identify each other by
// it): etcd's peer mesh and Raft's mesh.
import type { PatroniSpec, Routing } from "../../drill/format/patroni.ts";
import type { Address } from "../../engines/types.ts";
import { blockAddress, SITES } from "../../platform/address-block.ts";
import type { LinkInfo, RegionLayout, TopologyLayout } from "../../topology/topology.ts";

/** The site of the DCS witness: outside every region, so no region outage takes it. */
export const WITNESS = "witness";
/** The witness's address in the run's loopback block (127.B.100.1). */
export const witnessAddress = (layout: TopologyLayout): string =>
  blockAddress(layout.addressBlock ?? 0, SITES.witness);
/** The `from` of a member's REST ingress proxy: every other member dials it. */
export const PEERS = "peers";

export interface PatroniMemberPlan {
  region: string;
  address: string;
  /** Where PostgreSQL listens (the layout's dbPort). */
  pgPort: number;
  restPort: number;
  /** Where the other members reach its REST API (restapi.connect_address): its ingress proxy. */
  restIngress: Address;
  /** The host and port of every replication proxy to this member: its advertised connect_address. */
  replicationHost: string;
  replicationPort: number;
  /** Raft DCS only: this member's Raft node. */
  raftPort?: number;
  /** Where Patroni reaches the etcd members: its own region's directly, the others through proxies. */
  etcdHosts: Address[];
  /** routing haproxy: the region's HAProxy. */
  haproxy?: Address;
}

/** One etcd member, or the Raft witness. */
export interface DcsMemberPlan {
  name: string;
  /** The region it falls with; undefined for the witness. */
  region?: string;
  address: string;
  /** etcd: client port. raft: the controller's Raft port. */
  clientPort: number;
  /** etcd only. */
  peerPort?: number;
}

export interface HaproxyServer {
  /** The member's region. */
  name: string;
  address: Address;
  check: Address;
}

export interface PatroniPlan {
  members: PatroniMemberPlan[];
  /** etcd: a member per region plus the witness when the regions are even. raft: the witness only. */
  dcs: DcsMemberPlan[];
  links: LinkInfo[];
  /** routing haproxy: each region's HAProxy servers, the region's own member first. */
  haproxyServers: Map<string, HaproxyServer[]>;
  /** routing client: the hosts of each region's multi-host URL, the region's own member first. */
  clientHosts: Map<string, Address[]>;
}

/** The processes of a Patroni drill that listen: each placed by the platform. */
export type PatroniService = "postgres" | "rest" | "raft" | "etcd-client" | "etcd-peer" | "haproxy";

/** A region, or the witness's site. */
export interface Site {
  name: string;
  /** Local: the site's loopback address. */
  address: string;
}

/**
 * Where the platform puts things. Local: every process of a site on the site's address, at a free
 * port; every proxy on the dialling site's address. Docker: each process in its own container, at a
 * fixed port under its container's alias; every proxy on the Toxiproxy container.
 */
export interface PatroniPlacement {
  /** Where `site`'s `service` listens, as its peers reach it. */
  service(site: Site, service: PatroniService): Promise<Address>;
  /** Where a proxy dialled by `from`'s processes listens. */
  proxy(from: Site): Promise<Address>;
  /**
   * The host a region's member advertises for replication (connect_address), when not its
   * PostgreSQL's host: a name each dialler resolves to its own proxy (docker-database.ts).
   */
  replicationHost?(site: Site): string;
  /** The witness's site (its DCS member outside every region). */
  witness: Site;
}

/** The local platform's placement, from a free-port finder. */
export function localPatroniPlacement(
  layout: TopologyLayout,
  freePort: (host: string) => Promise<number>,
): PatroniPlacement {
  const onSite = async (site: Site): Promise<Address> => ({
    host: site.address,
    port: await freePort(site.address),
  });
  return {
    service: (site, service) => {
      if (service !== "postgres") return onSite(site);
      const region = layout.regions.find((r) => r.name === site.name);
      if (region === undefined) throw new Error(`no region ${site.name} in the layout`);
      return Promise.resolve({ host: region.address, port: region.dbPort });
    },
    proxy: onSite,
    witness: { name: WITNESS, address: witnessAddress(layout) },
  };
}

export interface PlanInput {
  layout: TopologyLayout;
  patroni: PatroniSpec;
  routing: Routing;
  /** Where things go; default local, with `freePort`. */
  placement?: PatroniPlacement;
  /** Local: a free TCP port on `host` (the kernel's choice). */
  freePort?(host: string): Promise<number>;
}

/** A witness only where an even number of voters could split evenly and lose the quorum. */
export function needsWitness(regions: number): boolean {
  return regions % 2 === 0;
}

function link(
  proxy: string,
  kind: LinkInfo["kind"],
  from: string,
  to: string,
  listen: Address,
  upstream: Address,
): LinkInfo {
  return { proxy, kind, from, to, listen, upstream };
}

function replicationPortOf(layout: TopologyLayout, region: RegionLayout): number {
  const ports = new Set(
    layout.links.filter((l) => l.kind === "replication" && l.to === region.name).map((l) => l.listen.port),
  );
  const [port, ...others] = [...ports];
  if (port === undefined || others.length > 0)
    throw new Error(`replication proxies to ${region.name} must share one port (per-upstream-port layout)`);
  return port;
}

export async function planPatroni(input: PlanInput): Promise<PatroniPlan> {
  const { layout, patroni, routing } = input;
  if (input.placement === undefined && input.freePort === undefined)
    throw new Error("planPatroni needs a placement or a free-port finder");
  const place = input.placement ?? localPatroniPlacement(layout, input.freePort!);
  const regions = layout.regions;
  const witness = needsWitness(regions.length);
  const links: LinkInfo[] = [];

  const dcs: DcsMemberPlan[] = [];
  const dcsSites: Site[] = [...regions.map((r) => ({ name: r.name, address: r.address }))];
  if (witness) dcsSites.push(place.witness);
  for (const site of dcsSites) {
    const isWitness = site === place.witness;
    if (patroni.dcs !== "etcd" && !isWitness) continue;
    // Raft's witness is the controller's Raft node; etcd's is one more etcd member.
    const client = await place.service(site, patroni.dcs === "etcd" ? "etcd-client" : "raft");
    dcs.push({
      name: site.name,
      ...(isWitness ? {} : { region: site.name }),
      address: client.host,
      clientPort: client.port,
      ...(patroni.dcs === "etcd" ? { peerPort: (await place.service(site, "etcd-peer")).port } : {}),
    });
  }

  const members: PatroniMemberPlan[] = [];
  for (const r of regions) {
    const site = { name: r.name, address: r.address };
    const etcdHosts: Address[] = [];
    for (const d of dcs) {
      if (patroni.dcs !== "etcd") break;
      const target = { host: d.address, port: d.clientPort };
      if (d.region === r.name) {
        etcdHosts.unshift(target);
        continue;
      }
      const listen = await place.proxy(site);
      links.push(link(`${r.name}.control.${d.name}.etcd`, "control", r.name, d.name, listen, target));
      etcdHosts.push(listen);
    }
    const postgres = await place.service(site, "postgres");
    const rest = await place.service(site, "rest");
    const restIngress = await place.proxy(site);
    links.push(link(`${r.name}.control.rest`, "control", PEERS, r.name, restIngress, rest));
    members.push({
      region: r.name,
      address: postgres.host,
      pgPort: postgres.port,
      restPort: rest.port,
      restIngress,
      replicationHost: place.replicationHost?.(site) ?? postgres.host,
      replicationPort: replicationPortOf(layout, r),
      ...(patroni.dcs === "raft" ? { raftPort: (await place.service(site, "raft")).port } : {}),
      etcdHosts,
      ...(routing === "haproxy" ? { haproxy: await place.service(site, "haproxy") } : {}),
    });
  }

  const haproxyServers = new Map<string, HaproxyServer[]>();
  const clientHosts = new Map<string, Address[]>();
  for (const from of members) {
    const site = { name: from.region, address: regions.find((r) => r.name === from.region)!.address };
    const servers: HaproxyServer[] = [];
    const hosts: Address[] = [];
    for (const to of members) {
      const pg = { host: to.address, port: to.pgPort };
      const rest = { host: to.address, port: to.restPort };
      if (to === from) {
        servers.unshift({ name: to.region, address: pg, check: rest });
        continue;
      }
      // Under DNS routing each region's app dials its own member only.
      if (routing === "dns") continue;
      const dataListen = await place.proxy(site);
      links.push(
        link(`${from.region}.app-db.${to.region}`, "app-db", from.region, to.region, dataListen, pg),
      );
      hosts.push(dataListen);
      if (routing === "haproxy") {
        const checkListen = await place.proxy(site);
        links.push(
          link(
            `${from.region}.control.${to.region}.rest`,
            "control",
            from.region,
            to.region,
            checkListen,
            rest,
          ),
        );
        servers.push({ name: to.region, address: dataListen, check: checkListen });
      }
    }
    if (routing === "haproxy") haproxyServers.set(from.region, servers);
    else clientHosts.set(from.region, hosts);
  }
  return { members, dcs, links, haproxyServers, clientHosts };
}
