// The Patroni manager on literal data: its drill fields and their errors, the wiring plan, the files
// it writes, how it reads Patroni's and HAProxy's answers, and what the checkers make of its events.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import { DrillValidationError, parseDrill } from "../../src/drill/load.ts";
import type { Drill } from "../../src/drill/types.ts";
import { Events } from "../../src/history/types.ts";
import {
  etcdArgs,
  haproxyConfig,
  patroniConfig,
  roleChangeScript,
} from "../../src/managers/patroni/config.ts";
import { parseServersState } from "../../src/managers/patroni/haproxy-state.ts";
import { patroniRequirements } from "../../src/managers/patroni/index.ts";
import { leaderOf, observedLeader } from "../../src/managers/patroni/observer.ts";
import { dockerPlacement } from "../../src/managers/patroni/docker.ts";
import { planPatroni } from "../../src/managers/patroni/plan.ts";
import { predictPatroni } from "../../src/managers/patroni/predict.ts";
import { locate } from "../../src/platform/requirements.ts";
import type { TopologyLayout } from "../../src/topology/topology.ts";
import { parse as parseYaml } from "yaml";

/** The witness in address block 0, where a layout without addressBlock lives. */
const WITNESS_ADDRESS = "127.0.100.1";

const MINIMAL = `name: p
regions:
  - { name: east, role: primary }
  - { name: west, role: standby }
`;

const drillOf = (yaml: string): Drill => parseDrill(`${MINIMAL}${yaml}`, "p.yaml");

function problemsOf(yaml: string): string[] {
  try {
    drillOf(yaml);
  } catch (err) {
    if (err instanceof DrillValidationError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("controller.manager patroni in the drill file", () => {
  it("runs Patroni's and HAProxy's reference settings when the drill names only the manager", () => {
    const { controller } = drillOf("controller: { manager: patroni }\n");
    assert.deepEqual(
      {
        routing: controller.routing,
        patroni: controller.patroni,
        haproxy: controller.haproxy,
        mode: controller.mode,
      },
      {
        routing: "haproxy",
        patroni: { ttlMs: 30_000, loopWaitMs: 10_000, retryTimeoutMs: 10_000, dcs: "etcd" },
        haproxy: { interMs: 3000, fall: 3, rise: 2 },
        // Clients hold every regional endpoint: nothing re-points DNS.
        mode: "client",
      },
    );
  });

  it("leaves the built-in manager's drills without any Patroni field", () => {
    const { controller } = drillOf("");
    assert.deepEqual(
      [controller.routing, controller.patroni, controller.haproxy],
      [undefined, undefined, undefined],
    );
  });

  it("has no HAProxy settings under client routing", () => {
    const { controller } = drillOf(
      "controller: { manager: patroni, routing: client, patroni: { dcs: raft } }\n",
    );
    assert.deepEqual(
      [controller.routing, controller.haproxy, controller.patroni?.dcs],
      ["client", undefined, "raft"],
    );
  });

  it("sends clients by DNS under dns routing: the mode is dns, with no HAProxy settings", () => {
    const { controller } = drillOf("controller: { manager: patroni, routing: dns }\n");
    assert.deepEqual([controller.routing, controller.haproxy, controller.mode], ["dns", undefined, "dns"]);
  });

  it("refuses a ttl shorter than loopWait + 2 x retryTimeout, as Patroni's own rule says", () => {
    assert.deepEqual(
      problemsOf("controller: { manager: patroni, patroni: { ttl: 10s, loopWait: 2s, retryTimeout: 5s } }\n"),
      ["controller.patroni.ttl: ttl must be at least loopWait + 2 x retryTimeout (12s), got 10s"],
    );
  });

  it("starts etcd with --pre-vote only when asked, and refuses the option under Raft", () => {
    const member = { name: "east", region: "east", address: "127.0.1.1", clientPort: 2379, peerPort: 2380 };
    assert.ok(!etcdArgs(member, [member], "/d", "t").includes("--pre-vote"));
    assert.ok(etcdArgs(member, [member], "/d", "t", false, true).includes("--pre-vote"));
    assert.equal(
      drillOf("controller: { manager: patroni, patroni: { etcdPreVote: true } }\n").controller.patroni
        ?.etcdPreVote,
      true,
    );
    assert.deepEqual(
      problemsOf("controller: { manager: patroni, patroni: { dcs: raft, etcdPreVote: true } }\n"),
      ["controller.patroni.etcdPreVote: only applies to dcs etcd (dcs is raft); remove it"],
    );
  });

  it("refuses Patroni timings that are not whole seconds", () => {
    assert.deepEqual(problemsOf("controller: { manager: patroni, patroni: { loopWait: 1500ms } }\n"), [
      "controller.patroni.loopWait: must be whole seconds (Patroni takes integers), got 1.5s",
    ]);
  });

  it("refuses Patroni's fields under another manager and HAProxy's under client routing", () => {
    assert.deepEqual(problemsOf("controller: { routing: haproxy, patroni: { ttl: 30s } }\n"), [
      "controller.routing: does not apply to controller.manager builtin; remove it",
      "controller.patroni: only applies to controller.manager patroni (manager is builtin); remove it",
    ]);
    assert.deepEqual(
      problemsOf("controller: { manager: patroni, routing: client, haproxy: { inter: 1s } }\n"),
      ["controller.haproxy: only applies to routing haproxy; remove it or set routing: haproxy"],
    );
  });

  it("refuses semi-sync replication, a builtin mode, the external platform and DNS routing on docker under Patroni", () => {
    assert.deepEqual(problemsOf("database: { replication: semi-sync }\ncontroller: { manager: patroni }\n"), [
      "controller.manager: patroni does not support database.replication semi-sync (Patroni 3.0.2's " +
        "synchronous_mode waits for the first syncStandbys standbys; quorum commit needs Patroni 4): use sync or async",
    ]);
    assert.deepEqual(problemsOf("controller: { manager: patroni, mode: dns }\n"), [
      "controller.mode: only applies to the builtin manager (manager is patroni); remove it",
    ]);
    assert.deepEqual(problemsOf("platform: docker\ncontroller: { manager: patroni }\n"), []);
    assert.deepEqual(problemsOf("platform: docker\ncontroller: { manager: patroni, routing: dns }\n"), [
      "controller.routing: routing dns runs on platform local only; use haproxy or client on docker",
    ]);
  });

  it("names the file, the field and what is expected in the error", () => {
    assert.throws(
      () =>
        parseDrill(
          `${MINIMAL}controller: { manager: patroni, patroni: { dcs: zookeeper } }\n`,
          "drills/p.yaml",
        ),
      (err: Error) =>
        /^drills\/p\.yaml: /.test(err.message) &&
        err.message.includes('controller.patroni.dcs: expected one of: etcd, raft, got "zookeeper"'),
    );
  });
});

describe("what a Patroni drill needs installed", () => {
  it("looks for PostgreSQL's programs in their versioned directory before PATH, which may hold another version", async () => {
    const [onPath, versioned] = await Promise.all(
      ["path-", "pg15-"].map((p) => mkdtemp(path.join(os.tmpdir(), p))),
    );
    for (const dir of [onPath!, versioned!]) await writeFile(path.join(dir, "postgres"), "", { mode: 0o755 });
    const saved = { PATH: process.env.PATH, own: process.env.FAILOVER_DRILL_PATH };
    process.env.PATH = onPath;
    delete process.env.FAILOVER_DRILL_PATH;
    try {
      assert.equal(
        locate({ command: "postgres", dirs: [versioned!], dirsFirst: true }),
        path.join(versioned!, "postgres"),
      );
      assert.equal(locate({ command: "postgres", dirs: [versioned!] }), path.join(onPath!, "postgres"));
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.own !== undefined) process.env.FAILOVER_DRILL_PATH = saved.own;
      await Promise.all([onPath!, versioned!].map((d) => rm(d, { recursive: true, force: true })));
    }
  });

  it("asks for etcd and HAProxy by default, and for the Raft controller instead of etcd under dcs raft", () => {
    const commands = (yaml: string) => patroniRequirements(drillOf(yaml)).map((r) => r.command);
    assert.deepEqual(commands("controller: { manager: patroni }\n"), [
      "patroni",
      "etcd",
      "haproxy",
      "unshare",
      "setpriv",
      "postgres",
      "initdb",
      "pg_basebackup",
      "pg_rewind",
      "pg_controldata",
    ]);
    const raft = commands("controller: { manager: patroni, routing: client, patroni: { dcs: raft } }\n");
    assert.ok(
      raft.includes("patroni_raft_controller") && !raft.includes("etcd") && !raft.includes("haproxy"),
    );
    assert.ok(
      patroniRequirements()
        .filter((r) => r.package === "postgresql-15")
        .every((r) => r.dirs?.includes("/usr/lib/postgresql/15/bin")),
    );
  });
});

/** Two regions as the per-upstream-port layout places them: every replication proxy to X on X's port. */
const LAYOUT: TopologyLayout = {
  regions: [
    { name: "east", role: "primary", address: "127.0.1.1", dbPort: 5001, appPort: 8001 },
    { name: "west", role: "standby", address: "127.0.2.1", dbPort: 5002, appPort: 8002 },
  ],
  servicePort: 9000,
  links: [
    {
      proxy: "west.replication.east",
      kind: "replication",
      from: "west",
      to: "east",
      listen: { host: "127.0.2.1", port: 7001 },
      upstream: { host: "127.0.1.1", port: 5001 },
    },
    {
      proxy: "east.replication.west",
      kind: "replication",
      from: "east",
      to: "west",
      listen: { host: "127.0.1.1", port: 7002 },
      upstream: { host: "127.0.2.1", port: 5002 },
    },
  ],
};

/** Ports 10000, 10001, ... in the order asked for. */
function counter(): (host: string) => Promise<number> {
  let next = 10_000;
  return () => Promise.resolve(next++);
}

describe("the wiring of a Patroni drill", () => {
  it("advertises each member at the port of the replication proxies to it, and adds an etcd witness for two regions", async () => {
    const patroni = { ttlMs: 30_000, loopWaitMs: 10_000, retryTimeoutMs: 10_000, dcs: "etcd" as const };
    const plan = await planPatroni({ layout: LAYOUT, patroni, routing: "haproxy", freePort: counter() });
    assert.deepEqual(
      plan.members.map((m) => [m.region, m.address, m.pgPort, m.replicationPort]),
      [
        ["east", "127.0.1.1", 5001, 7001],
        ["west", "127.0.2.1", 5002, 7002],
      ],
    );
    assert.deepEqual(
      plan.dcs.map((d) => [d.name, d.region, d.address]),
      [
        ["east", "east", "127.0.1.1"],
        ["west", "west", "127.0.2.1"],
        ["witness", undefined, WITNESS_ADDRESS],
      ],
    );
    // Every cross-region path is a proxy on the dialling side; the region's own etcd is reached directly.
    assert.deepEqual(
      plan.links.map((l) => `${l.proxy} ${l.kind} ${l.from}->${l.to} @${l.listen.host}`),
      [
        "east.control.west.etcd control east->west @127.0.1.1",
        "east.control.witness.etcd control east->witness @127.0.1.1",
        "east.control.rest control peers->east @127.0.1.1",
        "west.control.east.etcd control west->east @127.0.2.1",
        "west.control.witness.etcd control west->witness @127.0.2.1",
        "west.control.rest control peers->west @127.0.2.1",
        "east.app-db.west app-db east->west @127.0.1.1",
        "east.control.west.rest control east->west @127.0.1.1",
        "west.app-db.east app-db west->east @127.0.2.1",
        "west.control.east.rest control west->east @127.0.2.1",
      ],
    );
    const east = plan.members[0]!;
    assert.equal(east.etcdHosts[0]?.host, "127.0.1.1", "its own region's etcd first, directly");
    assert.deepEqual(
      plan.haproxyServers.get("east")?.map((s) => [s.name, s.address.host, s.check.host]),
      [
        ["east", "127.0.1.1", "127.0.1.1"],
        ["west", "127.0.1.1", "127.0.1.1"],
      ],
    );
  });

  it("lets each app dial only its own member under dns routing: no app-db link crosses regions", async () => {
    const patroni = { ttlMs: 30_000, loopWaitMs: 10_000, retryTimeoutMs: 10_000, dcs: "etcd" as const };
    const plan = await planPatroni({ layout: LAYOUT, patroni, routing: "dns", freePort: counter() });
    assert.deepEqual(
      plan.links.filter((l) => l.kind === "app-db"),
      [],
    );
    assert.equal(plan.haproxyServers.size, 0);
    assert.ok(plan.members.every((m) => m.haproxy === undefined));
  });

  it("puts each process in its own container on docker, advertising a per-dialler name for replication", async () => {
    const patroni = { ttlMs: 30_000, loopWaitMs: 10_000, retryTimeoutMs: 10_000, dcs: "etcd" as const };
    let port = 20_000;
    const plan = await planPatroni({
      layout: LAYOUT,
      patroni,
      routing: "haproxy",
      placement: dockerPlacement(() => ({ host: "toxiproxy", port: port++ })),
    });
    assert.deepEqual(
      plan.members.map((m) => [m.address, m.pgPort, m.restPort, m.replicationHost, m.haproxy?.host]),
      [
        ["pg-east", 5432, 8008, "db-east", "haproxy-east"],
        ["pg-west", 5432, 8008, "db-west", "haproxy-west"],
      ],
    );
    assert.deepEqual(
      plan.dcs.map((d) => [d.name, d.address, d.clientPort, d.peerPort]),
      [
        ["east", "etcd-east", 2379, 2380],
        ["west", "etcd-west", 2379, 2380],
        ["witness", "etcd-witness", 2379, 2380],
      ],
    );
    // Every proxy on the Toxiproxy container, each at a port of its own.
    const listens = plan.links.map((l) => `${l.listen.host}:${l.listen.port}`);
    assert.ok(plan.links.every((l) => l.listen.host === "toxiproxy"));
    assert.equal(new Set(listens).size, listens.length);
    const config = parseYaml(
      patroniConfig({
        member: plan.members[0]!,
        members: plan.members,
        patroni,
        database: { replication: "async", synchronousCommit: "on", syncStandbys: 1, settings: {} },
        dir: "/var/lib/postgresql",
        binDir: "/usr/lib/postgresql/15/bin",
        bindAll: true,
      }),
    ) as { postgresql: { listen: string; connect_address: string; pg_hba: string[] } };
    assert.equal(config.postgresql.listen, "0.0.0.0:5432");
    assert.equal(config.postgresql.connect_address, `db-east:${plan.members[0]!.replicationPort}`);
    assert.ok(config.postgresql.pg_hba.includes("host replication all all trust"));
    assert.deepEqual(etcdArgs(plan.dcs[0]!, plan.dcs, "/data", "t", true).slice(4, 8), [
      "--listen-client-urls",
      "http://0.0.0.0:2379",
      "--advertise-client-urls",
      "http://etcd-east:2379",
    ]);
  });

  it("needs no witness for three regions and none of etcd's links under Raft", async () => {
    const three: TopologyLayout = {
      ...LAYOUT,
      regions: [
        ...LAYOUT.regions,
        { name: "south", role: "standby", address: "127.0.3.1", dbPort: 5003, appPort: 8003 },
      ],
      links: [
        ...LAYOUT.links,
        ...["east", "west"].map((from, i) => ({
          proxy: `${from}.replication.south`,
          kind: "replication" as const,
          from,
          to: "south",
          listen: { host: `127.0.${i + 1}.1`, port: 7003 },
          upstream: { host: "127.0.3.1", port: 5003 },
        })),
        ...["east", "west"].map((to, i) => ({
          proxy: `south.replication.${to}`,
          kind: "replication" as const,
          from: "south",
          to,
          listen: { host: "127.0.3.1", port: 7001 + i },
          upstream: { host: `127.0.${i + 1}.1`, port: 5001 + i },
        })),
      ],
    };
    const patroni = { ttlMs: 30_000, loopWaitMs: 10_000, retryTimeoutMs: 10_000, dcs: "raft" as const };
    const plan = await planPatroni({ layout: three, patroni, routing: "client", freePort: counter() });
    assert.deepEqual(plan.dcs, []);
    assert.ok(!plan.links.some((l) => l.proxy.endsWith(".etcd")));
    assert.deepEqual(
      plan.clientHosts.get("west")?.map((h) => h.host),
      ["127.0.2.1", "127.0.2.1"],
      "west's app reaches east and south through proxies on its own address",
    );
  });
});

describe("the files a Patroni drill writes", () => {
  const patroni = { ttlMs: 10_000, loopWaitMs: 2000, retryTimeoutMs: 3000, dcs: "etcd" as const };
  const member = {
    region: "east",
    address: "127.0.1.1",
    pgPort: 5001,
    restPort: 8008,
    restIngress: { host: "127.0.1.1", port: 8009 },
    replicationHost: "127.0.1.1",
    replicationPort: 7001,
    etcdHosts: [
      { host: "127.0.1.1", port: 2379 },
      { host: "127.0.1.1", port: 12379 },
    ],
  };
  const database = {
    replication: "sync" as const,
    synchronousCommit: "on" as const,
    syncStandbys: 1,
    settings: { work_mem: "8MB" },
  };

  it("maps sync replication to synchronous_mode and advertises the replication proxies' port", () => {
    const config = parseYaml(
      patroniConfig({
        member,
        members: [member],
        patroni,
        database,
        dir: "/ws/east",
        binDir: "/usr/lib/postgresql/15/bin",
      }),
    ) as Record<string, Record<string, unknown>>;
    assert.deepEqual(config.bootstrap?.dcs, {
      ttl: 10,
      loop_wait: 2,
      retry_timeout: 3,
      synchronous_mode: true,
      synchronous_node_count: 1,
      postgresql: { use_pg_rewind: true, parameters: { wal_log_hints: "on" } },
    });
    assert.deepEqual(config.etcd3, {
      hosts: ["127.0.1.1:2379", "127.0.1.1:12379"],
      protocol: "http",
      use_proxies: true,
    });
    assert.equal(config.postgresql?.connect_address, "127.0.1.1:7001");
    assert.deepEqual(config.restapi, { listen: "127.0.1.1:8008", connect_address: "127.0.1.1:8009" });
    assert.equal((config.postgresql?.parameters as Record<string, string>).work_mem, "8MB");
  });

  it("runs the role change callback under dns routing, and only then", () => {
    const input = { member, members: [member], patroni, database, dir: "/ws/east", binDir: "/pg/bin" };
    const withCallback = parseYaml(
      patroniConfig({ ...input, onRoleChange: "/ws/east/on-role-change.sh" }),
    ) as {
      postgresql: { callbacks?: unknown };
    };
    assert.deepEqual(withCallback.postgresql.callbacks, { on_role_change: "/ws/east/on-role-change.sh" });
    const without = parseYaml(patroniConfig(input)) as { postgresql: { callbacks?: unknown } };
    assert.equal(without.postgresql.callbacks, undefined);
  });

  it("updates DNS from the callback only when the member becomes the leader", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "role-change-"));
    try {
      const marker = path.join(dir, "updated");
      const updater = path.join(dir, "dns-update.sh");
      await writeFile(updater, `#!/bin/sh\necho updated >${marker}\n`, { mode: 0o755 });
      const callback = path.join(dir, "on-role-change.sh");
      await writeFile(callback, roleChangeScript(updater, path.join(dir, "log")), { mode: 0o755 });
      const roleChange = (role: string): boolean => {
        spawnSync(callback, ["on_role_change", role, "failover-drill"]);
        const updated = existsSync(marker);
        rmSync(marker, { force: true });
        return updated;
      };
      assert.deepEqual(["replica", "demoted", "master", "primary"].map(roleChange), [
        false,
        false,
        true,
        true,
      ]);
      assert.match(readFileSync(path.join(dir, "log"), "utf8"), /on_role_change master: updating DNS/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives every Raft node an explicit bind address and the witness as a partner", () => {
    const raftMember = { ...member, raftPort: 6001, etcdHosts: [] };
    const west = { ...raftMember, region: "west", address: "127.0.2.1", raftPort: 6002 };
    const config = parseYaml(
      patroniConfig({
        member: raftMember,
        members: [raftMember, west],
        raftWitness: { name: "witness", address: WITNESS_ADDRESS, clientPort: 6100 },
        patroni: { ...patroni, dcs: "raft" },
        database: { ...database, replication: "async" },
        dir: "/ws/east",
        binDir: "/bin",
      }),
    ) as Record<string, Record<string, unknown>>;
    assert.deepEqual(config.raft, {
      data_dir: "/ws/east/raft",
      self_addr: "127.0.1.1:6001",
      bind_addr: "127.0.1.1:6001",
      partner_addrs: ["127.0.2.1:6002", `${WITNESS_ADDRESS}:6100`],
    });
    assert.equal((config.bootstrap?.dcs as Record<string, unknown>).synchronous_mode, false);
  });

  it("writes Patroni's reference HAProxy checks, each through its own proxy", () => {
    const text = haproxyConfig({
      listen: { host: "127.0.1.1", port: 6432 },
      servers: [
        {
          name: "east",
          address: { host: "127.0.1.1", port: 5001 },
          check: { host: "127.0.1.1", port: 8008 },
        },
        {
          name: "west",
          address: { host: "127.0.1.1", port: 9101 },
          check: { host: "127.0.1.1", port: 9102 },
        },
      ],
      checks: { interMs: 3000, fall: 3, rise: 2 },
      statsSocket: "/ws/haproxy-east/stats.sock",
    });
    assert.match(text, /option httpchk GET \/primary\n\s+http-check expect status 200\n/);
    assert.match(text, /default-server inter 3000ms fall 3 rise 2 on-marked-down shutdown-sessions/);
    assert.match(text, /server west 127\.0\.1\.1:9101 maxconn 100 check addr 127\.0\.1\.1 port 9102/);
  });

  it("starts every etcd member of the drill's cluster with the whole cluster named", () => {
    const members = [
      { name: "east", region: "east", address: "127.0.1.1", clientPort: 2379, peerPort: 2380 },
      { name: "witness", address: WITNESS_ADDRESS, clientPort: 2379, peerPort: 2380 },
    ];
    const args = etcdArgs(members[0]!, members, "/ws/dcs-east/data", "t");
    assert.equal(
      args[args.indexOf("--initial-cluster") + 1],
      `east=http://127.0.1.1:2380,witness=http://${WITNESS_ADDRESS}:2380`,
    );
  });
});

describe("reading Patroni and HAProxy", () => {
  it("finds the leader in GET /cluster, and none once the leader key is gone", () => {
    assert.equal(
      leaderOf([
        { name: "east", role: "leader" },
        { name: "west", role: "replica" },
      ]),
      "east",
    );
    assert.equal(leaderOf([{ name: "west", role: "replica" }]), null);
  });

  it("takes a new leader from any member, but the leader's absence only from a member other than the old leader", () => {
    assert.equal(observedLeader("east", new Map([["west", "west"]])), "west");
    assert.equal(observedLeader("east", new Map([["west", null]])), null);
    // An isolated old leader may still believe itself leader, or see nothing: neither counts.
    assert.equal(
      observedLeader(
        "east",
        new Map([
          ["east", null],
          ["west", "east"],
        ]),
      ),
      "east",
    );
    assert.equal(observedLeader("east", new Map([["east", "east"]])), "east");
    // A thawed old leader names itself from its stale cache while the real leader names itself.
    assert.equal(
      observedLeader(
        "west",
        new Map([
          ["east", "east"],
          ["west", "west"],
        ]),
      ),
      "west",
    );
  });

  it("reads which servers HAProxy has up from `show servers state`", () => {
    const text = [
      "1",
      "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight",
      "2 primary 1 east 127.0.1.1 0 0 1 1",
      "2 primary 2 west 127.0.1.1 2 0 1 1",
      "",
    ].join("\n");
    assert.deepEqual(
      parseServersState(text).map((s) => [s.server, s.up]),
      [
        ["east", false],
        ["west", true],
      ],
    );
  });
});

describe("measuring a Patroni failover", () => {
  const patroniDrill = (): Drill =>
    sampleDrill({
      controller: {
        ...sampleDrill().controller,
        mode: "client",
        manager: "patroni",
        routing: "haproxy",
        patroni: { ttlMs: 10_000, loopWaitMs: 2000, retryTimeoutMs: 3000, dcs: "etcd" },
        haproxy: { interMs: 3000, fall: 3, rise: 2 },
      },
    });

  it("predicts detection from ttl and loop_wait (plus an etcd leader change) and routing from HAProxy's rise", () => {
    const p = predictPatroni(patroniDrill());
    assert.deepEqual(
      [p.detectionRangeMs, p.writableRangeMs, p.routingDelayRangeMs, p.markedDownRangeMs],
      [
        [8000, 13_500],
        [8000, 14_500],
        [3000, 6000],
        [6000, 9000],
      ],
    );
  });

  it("measures detection and promotion from Patroni's events, with the poll interval in the uncertainty", () => {
    const history = new HistoryBuilder()
      .runner(0, Events.topologyUp, {
        regions: [
          { name: "east", address: "127.0.1.1", role: "primary" },
          { name: "west", address: "127.0.2.1", role: "standby" },
        ],
      })
      .controller(100, Events.dcsLeader, { member: "witness", pollMs: 500 })
      .faultStart(0, 5000, 5010, { type: "region-outage", region: "east" })
      .controller(14_000, Events.primaryDown, {
        region: "east",
        by: "patroni",
        how: "leader key of east gone",
        pollMs: 100,
      })
      .controller(14_100, Events.promote, {
        region: "west",
        by: "patroni",
        how: "west holds the leader key",
        pollMs: 100,
      })
      .controller(14_300, Events.writable, { region: "west", pollMs: 100 })
      .controller(17_500, Events.routeSwitch, { router: "haproxy west", region: "west", pollMs: 100 })
      .build();
    const summary = analyze({
      drill: patroniDrill(),
      history,
      finalReads: [],
      startedAt: "2026-01-01T00:00:00Z",
    });
    assert.deepEqual(summary.measurements.detection, { ms: 9000, uncertaintyMs: 110 });
    assert.deepEqual(
      [summary.measurements.promotion.ms, summary.measurements.promotion.uncertaintyMs],
      [300, 100],
    );
    assert.deepEqual(summary.predicted.writableRangeMs, [8000, 14_500]);
    assert.ok(
      summary.notes.some(
        (n) => n.startsWith("writable: west committed 9.3 s after the fault") && n.includes("inside"),
      ),
      summary.notes.join("\n"),
    );
    assert.ok(
      summary.notes.some((n) => n.includes("haproxy west 3.2 s")),
      summary.notes.join("\n"),
    );
    assert.ok(summary.notes.some((n) => n.includes("etcd leader (witness) was outside the failed region")));
    assert.ok(summary.timeline.some((t) => t.event === "patroni declares east down"));
  });
});
