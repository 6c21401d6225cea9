// The embedded authoritative server (server.ts) as a DNS provider: zero install, records changed in
// process, answers over real UDP on loopback. It also takes RFC 2136 updates signed with a TSIG key
// made for the run, so a manager's callback running nsupdate can move the name as on BIND.
import { DEFAULT_ZONE, type DnsProvider, type DnsProviderKind } from "./provider.ts";
import { DnsServer } from "./server.ts";
import { generateTsigKey } from "./tsig.ts";

/** The name of the key a run makes for updates (both providers use it). */
export const UPDATE_KEY_NAME = "failover-drill-update";

export const embeddedDns = {
  name: "embedded" as const,
  description: "the built-in authoritative server: in-process record changes, real UDP answers",
  async start({ host, zone = DEFAULT_ZONE }): Promise<DnsProvider> {
    const key = generateTsigKey(UPDATE_KEY_NAME);
    const server = await DnsServer.start({ host, port: 0, updates: { zone, keys: [key] } });
    const endpoint = { host: server.host, port: server.port };
    return {
      name: "embedded",
      endpoint,
      update: {
        endpoint,
        zone,
        keyName: key.name,
        algorithm: key.algorithm,
        secret: key.secret.toString("base64"),
      },
      setRecord: async (name, address, ttlMs) => server.setRecord(name, address, ttlMs),
      close: () => server.close(),
    };
  },
} satisfies DnsProviderKind;
