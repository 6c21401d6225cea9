// named.conf and the zone file for one drill: BIND authoritative for the drill's zone only (no
// recursion, no rndc channel, no notify), on one address and port, taking RFC 2136 updates signed
// with the run's TSIG key and nothing else.
import type { TsigKey } from "../tsig.ts";
import { normalizeName } from "../wire.ts";

export interface BindConfig {
  dir: string;
  host: string;
  port: number;
  zone: string;
  zoneFile: string;
  key: TsigKey;
}

/** The name of the zone's name server record; unlikely to clash with a drill's service name. */
export const NS_LABEL = "ns-failover-drill";

const quoted = (text: string): string => JSON.stringify(text);

export function namedConf(c: BindConfig): string {
  return `// Written by failover-drill for one run.
key ${quoted(c.key.name)} {
  algorithm ${c.key.algorithm};
  secret "${c.key.secret.toString("base64")}";
};
options {
  directory ${quoted(c.dir)};
  pid-file none;
  session-keyfile none;
  managed-keys-directory ${quoted(c.dir)};
  listen-on port ${c.port} { ${c.host}; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
  allow-query { any; };
  allow-transfer { none; };
};
// No rndc channel: the drill stops named with a signal.
controls { };
zone ${quoted(normalizeName(c.zone))} {
  type primary;
  file ${quoted(c.zoneFile)};
  allow-update { key ${quoted(c.key.name)}; };
};
`;
}

/**
 * The zone before any update: SOA and NS at the apex, the name server's address. The SOA minimum (the
 * negative-caching TTL) is 1 s, so a resolver that asked before the record existed asks again soon.
 */
export function zoneFile(c: Pick<BindConfig, "zone" | "host">): string {
  const zone = normalizeName(c.zone);
  return `$ORIGIN ${zone}.
$TTL 60
@ IN SOA ${NS_LABEL}.${zone}. hostmaster.${zone}. 1 3600 600 86400 1
@ IN NS ${NS_LABEL}.${zone}.
${NS_LABEL} IN A ${c.host}
`;
}
