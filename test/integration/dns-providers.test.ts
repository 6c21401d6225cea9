// Every registered DNS provider held to what the runner, the failover managers and the monitors rely
// on, over real DNS packets at the provider's endpoint. A new provider runs this suite as soon as it
// is in the registry (src/dns/providers.ts).
import assert from "node:assert/strict";
import { DNS_PROVIDERS } from "../../src/dns/providers.ts";
import type { DnsProvider } from "../../src/dns/provider.ts";
import { DnsLookupError, queryA } from "../../src/dns/resolver.ts";

for (const kind of DNS_PROVIDERS) {
  describe(`the ${kind.name} DNS provider behind the seam (integration)`, function () {
    this.timeout(30_000);
    let provider: DnsProvider;

    before(async () => {
      provider = await kind.start({ host: "127.0.0.1" });
    });
    after(async () => {
      await provider?.close();
    });

    it("answers a record it was given at its endpoint, with the TTL in whole seconds rounded up", async () => {
      await provider.setRecord("api.drill.test", "127.0.1.1", 2500);
      assert.deepEqual(await queryA(provider.endpoint, "api.drill.test", { timeoutMs: 1000 }), {
        address: "127.0.1.1",
        ttlMs: 3000,
      });
    });

    it("answers the new address as soon as the change has been accepted", async () => {
      await provider.setRecord("switch.drill.test", "127.0.1.1", 5000);
      await provider.setRecord("switch.drill.test", "127.0.2.1", 5000);
      const answer = await queryA(provider.endpoint, "switch.drill.test", { timeoutMs: 1000 });
      assert.equal(answer.address, "127.0.2.1");
    });

    it("answers NXDOMAIN for a name it does not hold", async () => {
      await assert.rejects(
        queryA(provider.endpoint, "nobody.drill.test", { timeoutMs: 1000 }),
        (err: unknown) => err instanceof DnsLookupError && err.code === "ENOTFOUND",
      );
    });

    it("stops answering once closed", async () => {
      const other = await kind.start({ host: "127.0.0.1" });
      await other.setRecord("api.drill.test", "127.0.1.1", 1000);
      await other.close();
      await assert.rejects(
        queryA(other.endpoint, "api.drill.test", { timeoutMs: 200, attempts: 1 }),
        (err: unknown) => err instanceof DnsLookupError && ["ETIMEOUT", "ECONNREFUSED"].includes(err.code),
      );
    });
  });
}
