// The configuration files and command lines of a Patroni drill's processes: Patroni's YAML per member,
// etcd's flags, the Raft witness's YAML and HAProxy's config (Patroni's reference template). Pure, so
// the exact set-up a drill runs is easy to read and test.
import { stringify } from "yaml";
import type { HaproxySpec, PatroniSpec } from "../../drill/format/patroni.ts";
import type { DatabaseSpec } from "../../engines/types.ts";
import type { DcsMemberPlan, HaproxyServer, PatroniMemberPlan } from "./plan.ts";

/** Patroni's cluster name (scope) and the DCS namespace its keys live under. */
export const PATRONI_SCOPE = "failover-drill";
export const PATRONI_NAMESPACE = "/failover-drill/";

const seconds = (ms: number): number => Math.round(ms / 1000);
const hostPort = (a: { host: string; port: number }): string => `${a.host}:${a.port}`;

const HBA = [
  "local all all trust",
  "host all all 127.0.0.0/8 trust",
  "host replication all 127.0.0.0/8 trust",
];

export interface PatroniConfigInput {
  member: PatroniMemberPlan;
  /** Every member, this one included (Raft partners). */
  members: PatroniMemberPlan[];
  /** The Raft witness, if any. */
  raftWitness?: DcsMemberPlan;
  patroni: PatroniSpec;
  database: Pick<DatabaseSpec, "replication" | "synchronousCommit" | "syncStandbys" | "settings">;
  /** This member's directory in the workspace: data, socket, pgpass, raft journal. */
  dir: string;
  binDir: string;
}

/** PostgreSQL settings every member runs with: the engine's drill defaults, then the drill's own. */
function postgresParameters(input: PatroniConfigInput): Record<string, string> {
  const { database, dir } = input;
  return {
    unix_socket_directories: dir,
    shared_buffers: "32MB",
    wal_keep_size: "256MB",
    wal_log_hints: "on",
    hot_standby: "on",
    // As on the engine's nodes: a dead peer is noticed within a drill's time scale.
    wal_receiver_timeout: "5s",
    wal_sender_timeout: "5s",
    wal_retrieve_retry_interval: "200ms",
    wal_receiver_status_interval: "1s",
    // A drill kills processes, not the kernel: the page cache survives, fsync would only cost time.
    fsync: "off",
    ...(database.replication === "async" ? {} : { synchronous_commit: database.synchronousCommit }),
    logging_collector: "off",
    log_destination: "stderr",
    log_line_prefix: "%m [%p] %q%a ",
    ...database.settings,
  };
}

/** One member's patroni.yml. */
export function patroniConfig(input: PatroniConfigInput): string {
  const { member, members, patroni, database, dir, binDir } = input;
  const dcs =
    patroni.dcs === "etcd"
      ? {
          // use_proxies: the hosts are the only way in. Otherwise Patroni discovers every member's
          // advertised client URL and dials it directly, around the drill's proxies.
          etcd3: { hosts: member.etcdHosts.map(hostPort), protocol: "http", use_proxies: true },
        }
      : {
          raft: {
            data_dir: `${dir}/raft`,
            self_addr: `${member.address}:${member.raftPort}`,
            // Explicit, else pysyncobj binds 0.0.0.0 and members sharing a port spin.
            bind_addr: `${member.address}:${member.raftPort}`,
            partner_addrs: [
              ...members.filter((m) => m !== member).map((m) => `${m.address}:${m.raftPort}`),
              ...(input.raftWitness === undefined
                ? []
                : [`${input.raftWitness.address}:${input.raftWitness.clientPort}`]),
            ],
          },
        };
  const config = {
    scope: PATRONI_SCOPE,
    namespace: PATRONI_NAMESPACE,
    name: member.region,
    log: { level: "INFO", format: "%(asctime)s %(levelname)s: %(message)s" },
    restapi: {
      listen: `${member.address}:${member.restPort}`,
      // What the other members dial during a leader race: its ingress proxy, which a region outage cuts.
      connect_address: hostPort(member.restIngress),
    },
    ...dcs,
    bootstrap: {
      dcs: {
        ttl: seconds(patroni.ttlMs),
        loop_wait: seconds(patroni.loopWaitMs),
        retry_timeout: seconds(patroni.retryTimeoutMs),
        synchronous_mode: database.replication === "sync",
        ...(database.replication === "sync" ? { synchronous_node_count: database.syncStandbys } : {}),
        postgresql: { use_pg_rewind: true, parameters: { wal_log_hints: "on" } },
      },
      initdb: [{ encoding: "UTF8" }, { locale: "C" }, { auth: "trust" }],
      pg_hba: HBA,
    },
    postgresql: {
      listen: `${member.address}:${member.pgPort}`,
      connect_address: `${member.address}:${member.replicationPort}`,
      data_dir: `${dir}/data`,
      bin_dir: binDir,
      pgpass: `${dir}/pgpass`,
      authentication: {
        superuser: { username: "postgres" },
        replication: { username: "postgres" },
        rewind: { username: "postgres" },
      },
      parameters: postgresParameters(input),
      pg_hba: HBA,
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
  return stringify(config);
}

/** The witness's patroni_raft_controller config: a Raft voter that holds no database. */
export function raftWitnessConfig(witness: DcsMemberPlan, members: PatroniMemberPlan[], dir: string): string {
  const self = `${witness.address}:${witness.clientPort}`;
  return stringify({
    raft: {
      data_dir: dir,
      self_addr: self,
      bind_addr: self,
      partner_addrs: members.map((m) => `${m.address}:${m.raftPort}`),
    },
  });
}

/** etcd's command line for one member of the drill's cluster. */
export function etcdArgs(
  member: DcsMemberPlan,
  all: DcsMemberPlan[],
  dataDir: string,
  token: string,
): string[] {
  const peer = (m: DcsMemberPlan): string => `http://${m.address}:${m.peerPort}`;
  const client = `http://${member.address}:${member.clientPort}`;
  return [
    "--name",
    member.name,
    "--data-dir",
    dataDir,
    "--listen-client-urls",
    client,
    "--advertise-client-urls",
    client,
    "--listen-peer-urls",
    peer(member),
    "--initial-advertise-peer-urls",
    peer(member),
    "--initial-cluster",
    all.map((m) => `${m.name}=${peer(m)}`).join(","),
    "--initial-cluster-state",
    "new",
    "--initial-cluster-token",
    token,
  ];
}

export interface HaproxyConfigInput {
  listen: { host: string; port: number };
  servers: HaproxyServer[];
  checks: HaproxySpec;
  statsSocket: string;
}

/** Patroni's reference HAProxy set-up: TCP to whichever member answers GET /primary with 200. */
export function haproxyConfig(input: HaproxyConfigInput): string {
  const { listen, servers, checks, statsSocket } = input;
  const inter = `${checks.interMs}ms`;
  return [
    "global",
    "    maxconn 1000",
    `    stats socket ${statsSocket} mode 600 level admin`,
    "defaults",
    "    mode tcp",
    "    retries 2",
    "    timeout client 30m",
    "    timeout connect 4s",
    "    timeout server 30m",
    "    timeout check 5s",
    "listen primary",
    `    bind ${hostPort(listen)}`,
    "    option httpchk GET /primary",
    "    http-check expect status 200",
    `    default-server inter ${inter} fall ${checks.fall} rise ${checks.rise} on-marked-down shutdown-sessions`,
    ...servers.map(
      (s) =>
        `    server ${s.name} ${hostPort(s.address)} maxconn 100 check addr ${s.check.host} port ${s.check.port}`,
    ),
    "",
  ].join("\n");
}
