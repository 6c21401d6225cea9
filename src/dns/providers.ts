// Every DNS provider a drill can name in `dns.server`, one line each. Adding a provider: its module
// (implementing DnsProviderKind), one line here, and its integration test (docs/architecture.md).
import { bind9Dns } from "./bind9/index.ts";
import { embeddedDns } from "./embedded.ts";
import type { DnsProvider, DnsProviderKind, DnsProviderOptions } from "./provider.ts";

export const DNS_PROVIDERS = [embeddedDns, bind9Dns] as const satisfies readonly DnsProviderKind[];

export type DnsProviderName = (typeof DNS_PROVIDERS)[number]["name"];

export const DNS_PROVIDER_NAMES: readonly DnsProviderName[] = DNS_PROVIDERS.map((p) => p.name);

export function dnsProviderKind(name: string): DnsProviderKind {
  const kind = DNS_PROVIDERS.find((p) => p.name === name);
  if (kind === undefined) {
    throw new Error(`unknown DNS provider ${JSON.stringify(name)} (known: ${DNS_PROVIDER_NAMES.join(", ")})`);
  }
  return kind;
}

export function startDnsProvider(name: string, options: DnsProviderOptions): Promise<DnsProvider> {
  return dnsProviderKind(name).start(options);
}
