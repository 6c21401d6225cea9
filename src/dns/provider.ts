// The DNS provider seam: where the drill's service record lives and how it is changed. The runner,
// the failover managers and the monitors only use this; the embedded server (embedded.ts) is one
// provider, and a real server updated over RFC 2136 would be another. Resolvers (the clients', the
// DNS monitor's) query `endpoint` over real DNS, whatever the provider.

import type { Requirement } from "../platform/requirements.ts";
import type { DnsServerAddress } from "./resolver.ts";

/** Where a DNS server answers queries. */
export type DnsEndpoint = DnsServerAddress;

export interface DnsProvider {
  /** The provider's name as a drill names it (`dns.server`). */
  readonly name: string;
  /** Where resolvers send their queries for the drill's name. */
  readonly endpoint: DnsEndpoint;
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
