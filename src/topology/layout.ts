// The layout every platform plans the same way: a loopback address per region, one service port for
// every region's client endpoint, and the links (client, app-db, and replication for every ordered
// pair of regions). Only where things listen differs per platform: a LayoutPlacement says that.
import type { RegionSpec } from "../drill/types.ts";
import type { Address } from "../engines/types.ts";
import { regionAddress } from "../platform/ports.ts";
import { replicationProxyName, type LinkInfo, type RegionLayout, type TopologyLayout } from "./topology.ts";

/** Where a platform puts what the layout names. */
export interface LayoutPlacement {
  /** A region's database and app ports on its address; 0 while only known once running (published). */
  regionPorts(address: string): Promise<{ dbPort: number; appPort: number }>;
  /** A port free on every region address: clients reach each region's endpoint on it. */
  servicePort(addresses: string[]): Promise<number>;
  /**
   * Where the app or standby of region `side` dials the proxy of the layout's `index`-th link
   * (app-db and replication links; client links listen on the region address and service port).
   */
  proxyListen(side: RegionLayout, index: number): Promise<Address>;
  /**
   * Where standby `from` dials the proxy that streams from `to`, when not where proxyListen says (a
   * manager that advertises one address per node needs one port per upstream: ReplicationPorts).
   */
  replicationListen?(from: RegionLayout, to: RegionLayout): Promise<Address>;
  /** Where a proxy reaches a region's app. */
  appAddress(region: RegionLayout): Address;
  /** Where a proxy reaches a region's database. */
  databaseAddress(region: RegionLayout): Address;
}

/** Plans the layout in the run's loopback address block `block` (regions on 127.<block>.N.1). */
export async function planLayout(
  specs: RegionSpec[],
  placement: LayoutPlacement,
  block = 0,
): Promise<TopologyLayout> {
  const regions: RegionLayout[] = [];
  for (const [i, spec] of specs.entries()) {
    const address = regionAddress(i, block);
    regions.push({ name: spec.name, role: spec.role, address, ...(await placement.regionPorts(address)) });
  }
  // Clients reach every region on the same port, so a DNS switch only has to change the address.
  const servicePort = await placement.servicePort(regions.map((r) => r.address));
  const links: LinkInfo[] = [];
  for (const r of regions) {
    links.push({
      proxy: `${r.name}.client`,
      kind: "client",
      from: "clients",
      to: r.name,
      listen: { host: r.address, port: servicePort },
      upstream: placement.appAddress(r),
    });
    links.push({
      proxy: `${r.name}.app-db`,
      kind: "app-db",
      from: r.name,
      to: r.name,
      listen: await placement.proxyListen(r, links.length),
      upstream: placement.databaseAddress(r),
    });
  }
  // Every region may stream from every other one after a failover (the old primary too, should it
  // rejoin as a standby), so each ordered pair has its proxy from the start. The standby dials out,
  // so the proxy listens on the standby's side.
  for (const from of regions) {
    for (const to of regions) {
      if (from === to) continue;
      links.push({
        proxy: replicationProxyName(from.name, to.name),
        kind: "replication",
        from: from.name,
        to: to.name,
        listen:
          placement.replicationListen === undefined
            ? await placement.proxyListen(from, links.length)
            : await placement.replicationListen(from, to),
        upstream: placement.databaseAddress(to),
      });
    }
  }
  return { regions, servicePort, links, addressBlock: block };
}
