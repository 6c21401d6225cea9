// The embedded authoritative server (server.ts) as a DNS provider: zero install, records changed in
// process, answers over real UDP on loopback.
import type { DnsProvider, DnsProviderKind } from "./provider.ts";
import { DnsServer } from "./server.ts";

export const embeddedDns = {
  name: "embedded" as const,
  description: "the built-in authoritative server: in-process record changes, real UDP answers",
  async start({ host }): Promise<DnsProvider> {
    const server = await DnsServer.start({ host, port: 0 });
    return {
      name: "embedded",
      endpoint: { host: server.host, port: server.port },
      setRecord: async (name, address, ttlMs) => server.setRecord(name, address, ttlMs),
      close: () => server.close(),
    };
  },
} satisfies DnsProviderKind;
