// The DNS provider seam: where the drill's service record lives and how it is changed. The runner,
// the failover managers and the monitors only use this; the embedded server (embedded.ts) is one
// provider, BIND 9 updated over RFC 2136 (bind9/) another. Resolvers (the clients', the DNS
// monitor's) query `endpoint` over real DNS, whatever the provider.

import type { Requirement } from "../platform/requirements.ts";
import type { DnsServerAddress } from "./resolver.ts";
import type { TsigAlgorithm } from "./tsig.ts";
import { nameLabels, normalizeName } from "./wire.ts";

/** Where a DNS server answers queries. */
export type DnsEndpoint = DnsServerAddress;

/**
 * What an updater outside the drill (a manager's callback running `nsupdate`) needs to change the
 * provider's records with RFC 2136 updates signed with TSIG. nsupdate.ts writes it as a key file
 * and a script.
 */
export interface DnsUpdateAccess {
  /** Where updates go (UDP). */
  endpoint: DnsEndpoint;
  /** The zone updates name (`zone` in nsupdate). */
  zone: string;
  keyName: string;
  algorithm: TsigAlgorithm;
  /** The shared secret, base64 (as in a `key` statement). */
  secret: string;
}

export interface DnsProvider {
  /** The provider's name as a drill names it (`dns.server`). */
  readonly name: string;
  /** Where resolvers send their queries for the drill's name. */
  readonly endpoint: DnsEndpoint;
  /** How to change records from outside the drill; absent for a provider that takes no RFC 2136 updates. */
  readonly update?: DnsUpdateAccess;
  /**
   * Points `name` at `address` with `ttlMs` (sent in whole seconds, rounded up). Resolves once the
   * provider has accepted the change; when its answers change is what the DNS monitor measures.
   */
  setRecord(name: string, address: string, ttlMs: number): Promise<void>;
  /** Stops answering and releases everything the provider started. */
  close(): Promise<void>;
}

export interface DnsProviderOptions {
  /** Address to answer on (the embedded server binds it). */
  host: string;
  /** The zone the provider is authoritative for; default DEFAULT_ZONE. */
  zone?: string;
  /**
   * Where a provider that runs a program keeps its configuration, keys, zone and log (in the drill's
   * workspace); default a temporary directory removed at close. The program runs as the unprivileged
   * user, so the directories above it must let that user through (the workspace does).
   */
  dir?: string;
}

/** The zone a provider serves when none is given (the zone of the default name, api.drill.test). */
export const DEFAULT_ZONE = "drill.test";

/** The zone to serve `name` from: its parent (drill.test for api.drill.test), or itself if it has one label. */
export function zoneOf(name: string): string {
  const labels = nameLabels(normalizeName(name));
  return labels.length > 1 ? labels.slice(1).join(".") : labels.join(".");
}

/** One kind of provider, as the registry lists it. */
export interface DnsProviderKind {
  readonly name: string;
  /** One line for docs and `--help`. */
  readonly description: string;
  /** Programs it runs on the local platform (checked before a drill starts; listed by `doctor`). */
  requirements?(): Requirement[];
  start(options: DnsProviderOptions): Promise<DnsProvider>;
}
