// unbound.conf for one drill resolver: a caching recursive resolver on one address and port whose only
// upstream is the drill's authoritative server (a stub zone), with the cache options that change when
// clients see a DNS switch. Loopback needs what a production resolver does not: querying localhost
// allowed, the special-use TLD (.test) not answered locally, and no SO_REUSEPORT, so that a stale
// instance cannot share the port and answer half the questions.
import { nameLabels, normalizeName } from "../wire.ts";

/** The Unbound options that change failover (drill: dns.unbound; docs/dns.md measures each). */
export interface UnboundSettings {
  /** prefetch: refresh an answer asked for in the last 10% of its TTL, before it expires. */
  prefetch: boolean;
  /** serve-expired: answer from an expired entry (and refresh it) instead of waiting for upstream. */
  serveExpired: boolean;
  /** serve-expired-ttl: how long after expiry an entry may still be served; 0 = no limit. */
  serveExpiredTtlMs: number;
  /** serve-expired-reply-ttl: the TTL put on such a stale answer. */
  serveExpiredReplyTtlMs: number;
  /** serve-expired-client-timeout: wait this long for upstream before answering stale; 0 = at once. */
  serveExpiredClientTimeoutMs: number;
  /** cache-min-ttl: keep every answer at least this long, whatever its TTL. */
  cacheMinTtlMs: number;
  /** cache-max-ttl: keep no answer longer than this, whatever its TTL. */
  cacheMaxTtlMs: number;
}

/** Unbound 1.17's own defaults. */
export const UNBOUND_DEFAULTS: UnboundSettings = {
  prefetch: false,
  serveExpired: false,
  serveExpiredTtlMs: 0,
  serveExpiredReplyTtlMs: 30_000,
  serveExpiredClientTimeoutMs: 0,
  cacheMinTtlMs: 0,
  cacheMaxTtlMs: 86_400_000,
};

export interface UnboundConfig {
  dir: string;
  host: string;
  port: number;
  /** The drill's zone, sent to `authority` (a stub zone: no recursion from the root). */
  zone: string;
  authority: { host: string; port: number };
  settings: UnboundSettings;
}

const yesNo = (on: boolean): string => (on ? "yes" : "no");
const seconds = (ms: number): number => Math.round(ms / 1000);

export function unboundConf(c: UnboundConfig): string {
  const zone = normalizeName(c.zone);
  const tld = nameLabels(zone).at(-1) ?? zone;
  const s = c.settings;
  return `# Written by failover-drill for one run.
server:
  interface: ${c.host}@${c.port}
  port: ${c.port}
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "${c.dir}"
  pidfile: ""
  use-syslog: no
  logfile: ""
  log-time-ascii: yes
  verbosity: 1
  num-threads: 1
  so-reuseport: no
  do-not-query-localhost: no
  local-zone: "${tld}." nodefault
  module-config: "iterator"
  qname-minimisation: no
  minimal-responses: yes
  prefetch: ${yesNo(s.prefetch)}
  serve-expired: ${yesNo(s.serveExpired)}
  serve-expired-ttl: ${seconds(s.serveExpiredTtlMs)}
  serve-expired-reply-ttl: ${seconds(s.serveExpiredReplyTtlMs)}
  serve-expired-client-timeout: ${s.serveExpiredClientTimeoutMs}
  cache-min-ttl: ${seconds(s.cacheMinTtlMs)}
  cache-max-ttl: ${seconds(s.cacheMaxTtlMs)}
stub-zone:
  name: "${zone}."
  stub-addr: ${c.authority.host}@${c.authority.port}
`;
}
