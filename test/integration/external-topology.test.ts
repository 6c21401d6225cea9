// The external topology against a real Toxiproxy-compatible server holding "the user's" proxies: it
// finds them, refuses to start without one it was told about, and on teardown gives every proxy back as
// it found it, even when no fault's heal ran (a crash mid-fault), keeping the user's own toxics.
import assert from "node:assert/strict";
import { parseDrill } from "../../src/drill/load.ts";
import { ExternalTopology } from "../../src/topology/external.ts";
import { TopologyStartError } from "../../src/topology/topology.ts";
import { ProxyControl } from "../../src/toxiproxy/client.ts";
import { ToxiproxyServer } from "../../src/toxiproxy/server.ts";

function drillText(url: string, westAppDb = "west-app-db"): string {
  return `name: external-topology
platform: external
regions:
  - { name: east, role: primary }
  - { name: west, role: standby }
external:
  toxiproxy: ${url}
  regions:
    - { name: east, endpoint: "127.0.0.1:18999", database: "postgres://u@127.0.0.1:1/db", proxies: { client: east-client } }
    - name: west
      endpoint: "127.0.0.1:18999"
      database: "postgres://u@127.0.0.1:2/db"
      proxies: { app-db: ${westAppDb}, replication: { east: west-wal } }
controller: { manager: external }
`;
}

describe("the external topology (integration)", () => {
  let server: ToxiproxyServer;
  let admin: ProxyControl;
  before(async () => {
    server = await ToxiproxyServer.start();
    admin = new ProxyControl(server.url);
    for (const name of ["east-client", "west-app-db", "west-wal", "unrelated"]) {
      await admin.createProxy({ name, listen: "127.0.0.1:0", upstream: "127.0.0.1:1" });
    }
    await admin.addLatency("west-wal", {
      toxic: "their-wan",
      latencyMs: 5,
      jitterMs: 0,
      stream: "downstream",
    });
  });
  after(async () => {
    await server.close();
  });

  it("lays out the user's proxies as the drill's links, each as their server reports it", async () => {
    const topology = await ExternalTopology.start(parseDrill(drillText(server.url), "x.yaml"));
    try {
      const links = topology.layout.links.map((l) => [l.proxy, l.kind, l.from, l.to, l.upstream.port]);
      assert.deepEqual(links, [
        ["east-client", "client", "clients", "east", 1],
        ["west-app-db", "app-db", "west", "west", 1],
        ["west-wal", "replication", "west", "east", 1],
      ]);
      assert.equal(topology.layout.servicePort, 18999);
    } finally {
      await topology.dispose();
    }
  });

  it("gives every proxy back as it found it on teardown, even when no heal ran, keeping the user's toxics", async () => {
    const topology = await ExternalTopology.start(parseDrill(drillText(server.url), "x.yaml"));
    // What a fault left behind when the drill died before healing it.
    await topology.proxies.disable("east-client", "fault-0");
    await topology.proxies.disable("west-wal", "fault-0");
    await topology.proxies.addToxic("west-app-db", {
      toxic: "fault-1-latency-upstream",
      type: "latency",
      stream: "upstream",
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    await topology.dispose();
    const after = await admin.list();
    assert.deepEqual(
      after.map((p) => [p.name, p.enabled, p.toxics]),
      [
        ["east-client", true, []],
        ["unrelated", true, []],
        ["west-app-db", true, []],
        ["west-wal", true, ["their-wan"]],
      ],
    );
  });

  it("refuses to start without a proxy the drill file names, listing what the server has", async () => {
    await assert.rejects(
      ExternalTopology.start(parseDrill(drillText(server.url, "west-db"), "x.yaml")),
      (err: Error) =>
        err instanceof TopologyStartError &&
        /no proxy named west-db at http:\/\/127\.0\.0\.1:\d+ \(it has: east-client, unrelated, west-app-db, west-wal\)/.test(
          err.message,
        ),
    );
  });
});
