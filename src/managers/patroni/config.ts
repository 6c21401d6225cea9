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
/** In containers peers arrive from the drill network's addresses (the proxy's, the HAProxy's). */
const CONTAINER_HBA = ["local all all trust", "host all all all trust", "host replication all all trust"];

/**
 * Where a process binds for an address its peers reach it at: the address itself locally (each
 * region has its own loopback address), every interface in a container (whose alias its peers dial;
 * etcd and pysyncobj take no host names for binding).
 */
function bindOf(address: { host: string; port: number }, bindAll: boolean | undefined): string {
  return bindAll === true ? `0.0.0.0:${address.port}` : hostPort(address);
}

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
  /** routing dns: Patroni's on_role_change callback (points the drill's name at this member's region). */
  onRoleChange?: string;
  /** In a container: bind every interface and trust peers from any address. */
  bindAll?: boolean;
}

/** PostgreSQL settings every member runs with: the engine's drill defaults, then the drill's own. */
function postgresParameters(input: PatroniConfigInput): Record<string, string> {
  const { database, dir } = input;
  return {
    unix_socket_directories: dir,
    shared_buffers: "32MB",
    // As on the engine's nodes: dynamic shared memory inside the data directory, not /dev/shm.
    dynamic_shared_memory_type: "mmap",
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
            bind_addr: bindOf({ host: member.address, port: member.raftPort! }, input.bindAll),
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
      listen: bindOf({ host: member.address, port: member.restPort }, input.bindAll),
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
      pg_hba: input.bindAll === true ? CONTAINER_HBA : HBA,
    },
    postgresql: {
      listen: bindOf({ host: member.address, port: member.pgPort }, input.bindAll),
      connect_address: `${member.replicationHost}:${member.replicationPort}`,
      data_dir: `${dir}/data`,
      bin_dir: binDir,
      pgpass: `${dir}/pgpass`,
      authentication: {
        superuser: { username: "postgres" },
        replication: { username: "postgres" },
        rewind: { username: "postgres" },
      },
      parameters: postgresParameters(input),
      pg_hba: input.bindAll === true ? CONTAINER_HBA : HBA,
      ...(input.onRoleChange === undefined ? {} : { callbacks: { on_role_change: input.onRoleChange } }),
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
  return stringify(config);
}

/** The witness's patroni_raft_controller config: a Raft voter that holds no database. */
export function raftWitnessConfig(
  witness: DcsMemberPlan,
  members: PatroniMemberPlan[],
  dir: string,
  bindAll?: boolean,
): string {
  const self = { host: witness.address, port: witness.clientPort };
  return stringify({
    raft: {
      data_dir: dir,
      self_addr: hostPort(self),
      bind_addr: bindOf(self, bindAll),
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
  bindAll?: boolean,
  preVote?: boolean,
): string[] {
  const peer = (m: DcsMemberPlan): string => `http://${m.address}:${m.peerPort}`;
  const client = `http://${member.address}:${member.clientPort}`;
  const bind = (port: number | undefined): string =>
    `http://${bindOf({ host: member.address, port: port! }, bindAll)}`;
  return [
    "--name",
    member.name,
    "--data-dir",
    dataDir,
    "--listen-client-urls",
    bind(member.clientPort),
    "--advertise-client-urls",
    client,
    "--listen-peer-urls",
    bind(member.peerPort),
    "--initial-advertise-peer-urls",
    peer(member),
    "--initial-cluster",
    all.map((m) => `${m.name}=${peer(m)}`).join(","),
    "--initial-cluster-state",
    "new",
    "--initial-cluster-token",
    token,
    ...(preVote === true ? ["--pre-vote"] : []),
  ];
}

export interface HaproxyConfigInput {
  listen: { host: string; port: number };
  servers: HaproxyServer[];
  checks: HaproxySpec;
  statsSocket: string;
  bindAll?: boolean;
}

/** Patroni's reference HAProxy set-up: TCP to whichever member answers GET /primary with 200. */
export function haproxyConfig(input: HaproxyConfigInput): string {
  const { listen, servers, checks, statsSocket, bindAll } = input;
  const inter = `${checks.interMs}ms`;
  return [
    "global",
    "    maxconn 1000",
    // In a container HAProxy runs as root and the drill reads the socket from the host.
    `    stats socket ${statsSocket} mode ${bindAll === true ? "666" : "600"} level admin`,
    ...(bindAll === true
      ? ["resolvers docker", "    nameserver dns 127.0.0.11:53", "    hold valid 1s"]
      : []),
    "defaults",
    "    mode tcp",
    "    retries 2",
    "    timeout client 30m",
    "    timeout connect 4s",
    "    timeout server 30m",
    "    timeout check 5s",
    "listen primary",
    `    bind ${bindOf(listen, bindAll)}`,
    "    option httpchk GET /primary",
    "    http-check expect status 200",
    `    default-server inter ${inter} fall ${checks.fall} rise ${checks.rise} on-marked-down shutdown-sessions` +
      // Container aliases resolve only while their container runs: a server whose container is down
      // when HAProxy starts starts down instead of stopping HAProxy.
      (bindAll === true ? " init-addr last,libc,none resolvers docker" : ""),
    ...servers.map(
      (s) =>
        `    server ${s.name} ${hostPort(s.address)} maxconn 100 check addr ${s.check.host} port ${s.check.port}`,
    ),
    "",
  ].join("\n");
}

/**
 * Patroni's on_role_change callback for routing dns: Patroni runs it with the action, the member's new
 * role and the scope; on becoming the leader ("master" in Patroni 3.0, "primary" later) it runs the
 * nsupdate script that points the drill's name at this member's region, appending to `logFile`.
 */
export function roleChangeScript(nsupdateScript: string, logFile: string): string {
  return [
    "#!/bin/sh",
    "# Patroni's on_role_change callback (written by failover-drill): $1 action, $2 role, $3 scope.",
    'case "$2" in',
    `  master | primary) echo "$(date -u +%FT%T.%NZ) $1 $2: updating DNS" >>${logFile}`,
    `    exec ${nsupdateScript} >>${logFile} 2>&1 ;;`,
    "esac",
    "",
  ].join("\n");
}
