// The nemesis against a real embedded Toxiproxy server and real sockets: link faults become the
// expected toxics on the expected proxies and streams, their effect is visible to a TCP client, and
// the heal removes exactly what the fault added. The topology is a minimal stand-in (proxies + layout)
// so no database or app has to run.
import assert from "node:assert/strict";
import net from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { MonotonicClock } from "../../src/clock.ts";
import type { Fault, LinkToxicFault } from "../../src/drill/types.ts";
import { HistoryRecorder } from "../../src/history/recorder.ts";
import { Events } from "../../src/history/types.ts";
import { describeFault, injectFault, type NemesisTopology } from "../../src/nemesis/nemesis.ts";
import { ProxyControl } from "../../src/toxiproxy/client.ts";
import { ToxiproxyServer } from "../../src/toxiproxy/server.ts";
import type { LinkInfo, TopologyLayout } from "../../src/topology/topology.ts";

interface ServerToxic {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, number>;
}

const openSockets = new Set<Socket>();

/** A TCP echo server: what goes in through a proxy comes back through it. */
async function startEcho(): Promise<Server> {
  const server = net.createServer({ noDelay: true }, (socket) => {
    openSockets.add(socket);
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  return server;
}

type Exchange =
  | { outcome: "echo"; ms: number }
  | { outcome: "silent" }
  | { outcome: "closed"; ms: number }
  | { outcome: "error"; code: string; ms: number };

/** Connects, sends a few bytes and reports what came back within `waitMs`. */
function exchange(port: number, waitMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
    openSockets.add(socket);
    let started = performance.now();
    const finish = (result: Exchange): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ outcome: "silent" }), waitMs);
    socket.once("connect", () => {
      started = performance.now();
      socket.write("ping");
    });
    socket.once("data", () => finish({ outcome: "echo", ms: performance.now() - started }));
    socket.once("error", (err: NodeJS.ErrnoException) =>
      finish({ outcome: "error", code: err.code ?? err.message, ms: performance.now() - started }),
    );
    socket.once("close", () => finish({ outcome: "closed", ms: performance.now() - started }));
  });
}

describe("nemesis link faults on a real Toxiproxy server", function () {
  this.timeout(20_000);

  let toxiproxy: ToxiproxyServer;
  let echo: Server;
  let topology: NemesisTopology & { outages: string[]; healed: string[] };
  let history: HistoryRecorder;

  const link = (proxy: string, kind: LinkInfo["kind"], from: string, to: string): LinkInfo => ({
    proxy,
    kind,
    from,
    to,
    listen: { host: "127.0.0.1", port: 0 },
    upstream: { host: "127.0.0.1", port: (echo.address() as AddressInfo).port },
  });

  /** The listening port of a proxy, as the server assigned it. */
  const portOf = (proxy: string): number => {
    const found = topology.layout.links.find((l) => l.proxy === proxy);
    assert.ok(found, proxy);
    return found.listen.port;
  };

  async function toxicsOn(proxy: string): Promise<ServerToxic[]> {
    const res = await fetch(`${toxiproxy.url}/proxies/${encodeURIComponent(proxy)}/toxics`);
    assert.equal(res.status, 200);
    const toxics = (await res.json()) as ServerToxic[];
    return toxics.sort((a, b) => a.name.localeCompare(b.name));
  }

  async function allToxics(): Promise<Record<string, string[]>> {
    const listing = await topology.proxies.list();
    return Object.fromEntries(listing.map((p) => [p.name, [...p.toxics].sort()]));
  }

  before(async () => {
    toxiproxy = await ToxiproxyServer.start({ host: "127.0.0.1", port: 0 });
    echo = await startEcho();
  });

  after(async () => {
    await toxiproxy.close();
    for (const socket of openSockets) socket.destroy();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  beforeEach(async () => {
    const proxies = new ProxyControl(toxiproxy.url);
    const links = [
      link("east.client", "client", "clients", "east"),
      link("east.app-db", "app-db", "east", "east"),
      link("west.client", "client", "clients", "west"),
      link("west.replication", "replication", "west", "east"),
    ];
    for (const l of links) {
      const created = await proxies.createProxy({
        name: l.proxy,
        listen: "127.0.0.1:0",
        upstream: `${l.upstream.host}:${l.upstream.port}`,
      });
      l.listen.port = Number(created.listen.split(":").pop());
    }
    const layout: TopologyLayout = {
      regions: [
        { name: "east", role: "primary", address: "127.0.0.1", dbPort: 0, appPort: 0 },
        { name: "west", role: "standby", address: "127.0.0.1", dbPort: 0, appPort: 0 },
      ],
      servicePort: 0,
      links,
    };
    const outages: string[] = [];
    const healed: string[] = [];
    topology = {
      proxies,
      layout,
      outages,
      healed,
      injectRegionOutage: async (region, mode) => {
        outages.push(`${region}:${mode}`);
        return async () => {
          healed.push(`${region}:${mode}`);
        };
      },
    };
    history = new HistoryRecorder(new MonotonicClock());
  });

  afterEach(async () => {
    for (const socket of openSockets) socket.destroy();
    openSockets.clear();
    await topology.proxies.deleteAll();
    await history.close();
  });

  const base = { atMs: 0, target: {}, direction: "both", toxicity: 1 } as const;

  it("puts one latency toxic per stream on every selected proxy and nowhere else", async () => {
    const fault: Fault = {
      ...base,
      type: "latency",
      latencyMs: 120,
      jitterMs: 10,
      target: { region: "east", links: ["client", "app-db"] },
    };
    const injected = await injectFault(fault, 2, { topology, history });
    const expected = (stream: string): ServerToxic => ({
      name: `fault-2-latency-${stream}`,
      type: "latency",
      stream,
      toxicity: 1,
      attributes: { latency: 120, jitter: 10 },
    });
    for (const proxy of ["east.client", "east.app-db"]) {
      assert.deepEqual(await toxicsOn(proxy), [expected("downstream"), expected("upstream")], proxy);
    }
    assert.deepEqual(await toxicsOn("west.client"), []);
    assert.deepEqual(await toxicsOn("west.replication"), []);

    await injected.heal();
    assert.deepEqual(await allToxics(), {
      "east.app-db": [],
      "east.client": [],
      "west.client": [],
      "west.replication": [],
    });
    assert.deepEqual(
      history.ops.map((op) => `${op.type} ${op.f}`),
      [
        `invoke ${Events.faultStart}`,
        `ok ${Events.faultStart}`,
        `invoke ${Events.faultHeal}`,
        `ok ${Events.faultHeal}`,
      ],
    );
  });

  it("selects links touching a region, including replication links that end there", async () => {
    const fault: Fault = { ...base, type: "latency", latencyMs: 5, jitterMs: 0, target: { region: "east" } };
    const injected = await injectFault(fault, 0, { topology, history });
    const names = ["fault-0-latency-downstream", "fault-0-latency-upstream"];
    assert.deepEqual(await allToxics(), {
      "east.app-db": names,
      "east.client": names,
      "west.client": [],
      "west.replication": names,
    });
    await injected.heal();
  });

  it("delays only the selected direction, by the configured latency", async () => {
    const port = portOf("west.client");
    const fault = (direction: "upstream" | "both"): Fault => ({
      ...base,
      type: "latency",
      latencyMs: 200,
      jitterMs: 0,
      direction,
      target: { region: "west", links: ["client"] },
    });
    const upstream = await injectFault(fault("upstream"), 0, { topology, history });
    assert.deepEqual(
      (await toxicsOn("west.client")).map((t) => t.stream),
      ["upstream"],
    );
    const oneWay = await exchange(port, 3_000);
    await upstream.heal();
    const both = await injectFault(fault("both"), 1, { topology, history });
    const twoWay = await exchange(port, 3_000);
    await both.heal();
    const healed = await exchange(port, 3_000);

    assert.equal(oneWay.outcome, "echo");
    assert.equal(twoWay.outcome, "echo");
    assert.equal(healed.outcome, "echo");
    if (oneWay.outcome !== "echo" || twoWay.outcome !== "echo" || healed.outcome !== "echo") return;
    // Generous bounds: two cores shared with other test runs.
    assert.ok(oneWay.ms >= 190 && oneWay.ms < 390, `one way ${oneWay.ms.toFixed(0)}ms`);
    assert.ok(twoWay.ms >= 390, `both ways ${twoWay.ms.toFixed(0)}ms`);
    assert.ok(healed.ms < 150, `healed ${healed.ms.toFixed(0)}ms`);
  });

  it("leaves connections alone when the toxicity is 0", async () => {
    const fault: Fault = {
      ...base,
      type: "latency",
      latencyMs: 500,
      jitterMs: 0,
      toxicity: 0,
      target: { region: "west", links: ["client"] },
    };
    const injected = await injectFault(fault, 0, { topology, history });
    assert.deepEqual(
      (await toxicsOn("west.client")).map((t) => t.toxicity),
      [0, 0],
    );
    const result = await exchange(portOf("west.client"), 3_000);
    await injected.heal();
    assert.equal(result.outcome, "echo");
    if (result.outcome === "echo") assert.ok(result.ms < 400, `${result.ms.toFixed(0)}ms`);
  });

  const TOXICS: Array<[LinkToxicFault["type"], Record<string, number>, string]> = [
    ["bandwidth", { rate: 32 }, "bandwidth"],
    ["blackhole", { timeout: 0 }, "timeout"],
    ["reset-peer", { timeout: 100 }, "reset_peer"],
    ["slow-close", { delay: 500 }, "slow_close"],
    ["limit-data", { bytes: 64_000 }, "limit_data"],
    ["slicer", { average_size: 64, size_variation: 16, delay: 500 }, "slicer"],
  ];
  for (const [type, attributes, toxiproxyType] of TOXICS) {
    it(`adds a ${toxiproxyType} toxic for a ${type} fault on the chosen stream with its toxicity`, async () => {
      const fault: LinkToxicFault = {
        ...base,
        type,
        direction: "downstream",
        toxicity: 0.5,
        target: { links: ["replication"] },
        attributes,
      };
      const injected = await injectFault(fault, 7, { topology, history });
      assert.deepEqual(await toxicsOn("west.replication"), [
        {
          name: `fault-7-${type}-downstream`,
          type: toxiproxyType,
          stream: "downstream",
          toxicity: 0.5,
          attributes,
        },
      ]);
      assert.deepEqual(await toxicsOn("east.client"), []);
      await injected.heal();
      assert.deepEqual(await toxicsOn("west.replication"), []);
    });
  }

  it("swallows data through a blackholed link without closing it, until healed", async () => {
    const fault: LinkToxicFault = {
      ...base,
      type: "blackhole",
      target: { region: "east", links: ["client"] },
      attributes: { timeout: 0 },
    };
    const injected = await injectFault(fault, 0, { topology, history });
    const during = await exchange(portOf("east.client"), 800);
    const elsewhere = await exchange(portOf("west.client"), 2_000);
    await injected.heal();
    const after = await exchange(portOf("east.client"), 2_000);
    assert.deepEqual(during, { outcome: "silent" });
    assert.equal(elsewhere.outcome, "echo");
    assert.equal(after.outcome, "echo");
  });

  it("closes a blackholed connection after the blackhole's timeout", async () => {
    const fault: LinkToxicFault = {
      ...base,
      type: "blackhole",
      target: { region: "east", links: ["client"] },
      attributes: { timeout: 300 },
    };
    const injected = await injectFault(fault, 0, { topology, history });
    const during = await exchange(portOf("east.client"), 3_000);
    await injected.heal();
    assert.ok(during.outcome === "closed" || during.outcome === "error", JSON.stringify(during));
    if (during.outcome === "closed" || during.outcome === "error") {
      assert.ok(during.ms >= 250 && during.ms < 2_000, `closed after ${during.ms.toFixed(0)}ms`);
    }
  });

  it("resets connections through a reset-peer link so the client sees ECONNRESET", async () => {
    const fault: LinkToxicFault = {
      ...base,
      type: "reset-peer",
      target: { links: ["replication"] },
      attributes: { timeout: 0 },
    };
    const injected = await injectFault(fault, 0, { topology, history });
    const during = await exchange(portOf("west.replication"), 2_000);
    await injected.heal();
    const after = await exchange(portOf("west.replication"), 2_000);
    assert.equal(during.outcome, "error", JSON.stringify(during));
    if (during.outcome === "error") assert.equal(during.code, "ECONNRESET");
    assert.equal(after.outcome, "echo");
  });

  it("removes the toxics it added and records a failed start when a proxy refuses one", async () => {
    // A link whose proxy does not exist on the server: adding its toxic fails after the others succeeded.
    topology.layout.links.push({ ...link("ghost.client", "client", "clients", "east") });
    const fault: Fault = {
      ...base,
      type: "latency",
      latencyMs: 50,
      jitterMs: 0,
      target: { region: "east", links: ["client"] },
    };
    await assert.rejects(injectFault(fault, 3, { topology, history }), /ghost\.client/);
    assert.deepEqual(await toxicsOn("east.client"), []);
    assert.deepEqual(
      history.ops.map((op) => `${op.type} ${op.f}`),
      [`invoke ${Events.faultStart}`, `fail ${Events.faultStart}`],
    );
  });

  it("keeps region outages and partitions working on the narrowed topology", async () => {
    const outage = await injectFault({ type: "region-outage", atMs: 0, region: "east", mode: "stop" }, 0, {
      topology,
      history,
    });
    const partition = await injectFault({ type: "partition", atMs: 0, between: ["west", "east"] }, 1, {
      topology,
      history,
    });
    const enabled = async (): Promise<Record<string, boolean>> =>
      Object.fromEntries((await topology.proxies.list()).map((p) => [p.name, p.enabled]));
    assert.deepEqual(await enabled(), {
      "east.app-db": false,
      "east.client": false,
      "west.client": true,
      "west.replication": false,
    });
    assert.deepEqual(topology.outages, ["east:stop"]);
    await outage.heal();
    // The partition still holds the replication link down after the outage heals.
    assert.equal((await enabled())["west.replication"], false);
    await partition.heal();
    assert.deepEqual(topology.healed, ["east:stop"]);
    assert.ok(Object.values(await enabled()).every(Boolean));
  });

  it("leaves every link up during a paused region's outage, since frozen processes close nothing", async () => {
    const outage = await injectFault({ type: "region-outage", atMs: 0, region: "east", mode: "pause" }, 0, {
      topology,
      history,
    });
    const listing = await topology.proxies.list();
    assert.deepEqual(
      listing.filter((p) => !p.enabled).map((p) => p.name),
      [],
    );
    assert.deepEqual(topology.outages, ["east:pause"]);
    await outage.heal();
    assert.deepEqual(topology.healed, ["east:pause"]);
  });

  it("re-enables the links it cut when the topology cannot inject the outage", async () => {
    topology.injectRegionOutage = async () => {
      throw new Error("no such region process");
    };
    await assert.rejects(
      injectFault({ type: "region-outage", atMs: 0, region: "east", mode: "network" }, 0, {
        topology,
        history,
      }),
      /no such region process/,
    );
    assert.ok((await topology.proxies.list()).every((p) => p.enabled));
  });
});

describe("describeFault", () => {
  const link = { atMs: 0, target: { region: "us-east", links: ["client" as const] } };
  const cases: Array<[Fault, string]> = [
    [
      { ...link, type: "latency", latencyMs: 80, jitterMs: 5, direction: "both", toxicity: 1 },
      "latency 80ms±5ms on us-east client links",
    ],
    [
      { ...link, type: "bandwidth", direction: "downstream", toxicity: 1, attributes: { rate: 32 } },
      "bandwidth limited to 32 KB/s on us-east client links, downstream only",
    ],
    [
      { ...link, type: "blackhole", direction: "both", toxicity: 1, attributes: { timeout: 0 } },
      "blackhole (data swallowed, connections stay open) on us-east client links",
    ],
    [
      { ...link, type: "blackhole", direction: "both", toxicity: 1, attributes: { timeout: 2000 } },
      "blackhole (data swallowed, connections close after 2000ms) on us-east client links",
    ],
    [
      {
        atMs: 0,
        target: { links: ["replication"] },
        type: "reset-peer",
        direction: "both",
        toxicity: 0.5,
        attributes: { timeout: 500 },
      },
      "reset-peer (TCP RST after 500ms) on all regions replication links, toxicity 0.5",
    ],
    [
      { ...link, type: "slow-close", direction: "upstream", toxicity: 1, attributes: { delay: 1000 } },
      "slow-close (close delayed 1000ms) on us-east client links, upstream only",
    ],
    [
      { ...link, type: "limit-data", direction: "both", toxicity: 1, attributes: { bytes: 64000 } },
      "limit-data (close after 64000 bytes) on us-east client links",
    ],
    [
      {
        ...link,
        type: "slicer",
        direction: "both",
        toxicity: 1,
        attributes: { average_size: 64, size_variation: 16, delay: 500 },
      },
      "slicer (64±16 bytes slices, 500us apart) on us-east client links",
    ],
  ];
  for (const [fault, line] of cases) {
    it(`describes a ${fault.type} fault as "${line}"`, () => {
      assert.equal(describeFault(fault), line);
    });
  }
});
