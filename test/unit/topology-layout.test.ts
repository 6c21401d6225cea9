// The layout both platforms plan: regions, one service port, and the links in a fixed order, placed
// where a literal placement says.
import assert from "node:assert/strict";
import type { RegionSpec } from "../../src/drill/types.ts";
import { planLayout, type LayoutPlacement } from "../../src/topology/layout.ts";

const REGIONS: RegionSpec[] = [
  { name: "us-east", role: "primary" },
  { name: "eu-west", role: "standby" },
  { name: "ap-south", role: "standby" },
];

/** Ports counted up from 7000 per address, proxies numbered by link index, as a platform would. */
function countingPlacement(): LayoutPlacement & { serviceAsked: string[][] } {
  let next = 7000;
  const serviceAsked: string[][] = [];
  return {
    serviceAsked,
    regionPorts: () => Promise.resolve({ dbPort: next++, appPort: next++ }),
    servicePort: (addresses) => {
      serviceAsked.push(addresses);
      return Promise.resolve(9999);
    },
    proxyListen: (side, index) => Promise.resolve({ host: `proxy-of-${side.name}`, port: 20_000 + index }),
    appAddress: (r) => ({ host: `app-${r.name}`, port: r.appPort }),
    databaseAddress: (r) => ({ host: `db-${r.name}`, port: r.dbPort }),
  };
}

describe("topology layout planning", () => {
  it("gives each region its loopback address, its ports and its role", async () => {
    const placement = countingPlacement();
    const layout = await planLayout(REGIONS, placement);
    assert.deepEqual(layout.regions, [
      { name: "us-east", role: "primary", address: "127.0.1.1", dbPort: 7000, appPort: 7001 },
      { name: "eu-west", role: "standby", address: "127.0.2.1", dbPort: 7002, appPort: 7003 },
      { name: "ap-south", role: "standby", address: "127.0.3.1", dbPort: 7004, appPort: 7005 },
    ]);
    assert.equal(layout.servicePort, 9999);
    assert.deepEqual(placement.serviceAsked, [["127.0.1.1", "127.0.2.1", "127.0.3.1"]]);
  });

  it("lists client and app-db links per region, then replication for every ordered pair", async () => {
    const layout = await planLayout(REGIONS, countingPlacement());
    assert.deepEqual(
      layout.links.map((l) => [l.proxy, l.kind, l.from, l.to]),
      [
        ["us-east.client", "client", "clients", "us-east"],
        ["us-east.app-db", "app-db", "us-east", "us-east"],
        ["eu-west.client", "client", "clients", "eu-west"],
        ["eu-west.app-db", "app-db", "eu-west", "eu-west"],
        ["ap-south.client", "client", "clients", "ap-south"],
        ["ap-south.app-db", "app-db", "ap-south", "ap-south"],
        ["us-east.replication.eu-west", "replication", "us-east", "eu-west"],
        ["us-east.replication.ap-south", "replication", "us-east", "ap-south"],
        ["eu-west.replication.us-east", "replication", "eu-west", "us-east"],
        ["eu-west.replication.ap-south", "replication", "eu-west", "ap-south"],
        ["ap-south.replication.us-east", "replication", "ap-south", "us-east"],
        ["ap-south.replication.eu-west", "replication", "ap-south", "eu-west"],
      ],
    );
  });

  it("listens for clients on the region's address and service port, and forwards to its app", async () => {
    const layout = await planLayout(REGIONS, countingPlacement());
    const client = layout.links.find((l) => l.proxy === "eu-west.client");
    assert.deepEqual(client?.listen, { host: "127.0.2.1", port: 9999 });
    assert.deepEqual(client?.upstream, { host: "app-eu-west", port: 7003 });
  });

  it("places app-db and replication proxies on the dialling side, forwarding to the database", async () => {
    const layout = await planLayout(REGIONS, countingPlacement());
    const appDb = layout.links.find((l) => l.proxy === "eu-west.app-db");
    assert.deepEqual(appDb?.listen, { host: "proxy-of-eu-west", port: 20_003 });
    assert.deepEqual(appDb?.upstream, { host: "db-eu-west", port: 7002 });
    const replication = layout.links.find((l) => l.proxy === "ap-south.replication.us-east");
    assert.deepEqual(replication?.listen, { host: "proxy-of-ap-south", port: 20_010 });
    assert.deepEqual(replication?.upstream, { host: "db-us-east", port: 7000 });
  });
});
