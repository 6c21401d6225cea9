// Every registered DNS provider held to what the runner, the failover managers and the monitors rely
// on, over real DNS packets at the provider's endpoint. A new provider runs this suite as soon as it
// is in the registry (src/dns/providers.ts).
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { writeNsupdateScript } from "../../src/dns/nsupdate.ts";
import { DNS_PROVIDERS } from "../../src/dns/providers.ts";
import type { DnsProvider, DnsUpdateAccess } from "../../src/dns/provider.ts";
import { DnsLookupError, queryA } from "../../src/dns/resolver.ts";
import { TsigError, type TsigKey } from "../../src/dns/tsig.ts";
import { replaceA } from "../../src/dns/update.ts";
import { DnsUpdateError, sendUpdate } from "../../src/dns/update-client.ts";
import { Rcode } from "../../src/dns/wire.ts";
import { runCommand } from "../../src/platform/processes.ts";

/** The key a provider's update access names. */
function keyOf(access: DnsUpdateAccess, override: Partial<TsigKey> = {}): TsigKey {
  return {
    name: access.keyName,
    algorithm: access.algorithm,
    secret: Buffer.from(access.secret, "base64"),
    ...override,
  };
}

const refusedWith = (rcode: number, tsigError?: number) => (err: unknown) =>
  err instanceof DnsUpdateError && err.rcode === rcode && err.tsigError === tsigError;

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

    it("applies an RFC 2136 update signed with the key its update access names", async () => {
      const access = provider.update;
      assert.ok(access, "the provider takes updates");
      await sendUpdate(access.endpoint, {
        zone: access.zone,
        changes: replaceA("signed.drill.test", "127.0.3.1", 7),
        key: keyOf(access),
      });
      assert.deepEqual(await queryA(provider.endpoint, "signed.drill.test", { timeoutMs: 1000 }), {
        address: "127.0.3.1",
        ttlMs: 7000,
      });
    });

    it("refuses an unsigned update, and one signed with a wrong secret or an unknown key", async () => {
      const access = provider.update!;
      await provider.setRecord("guarded.drill.test", "127.0.1.1", 5000);
      const attempt = (key?: TsigKey) =>
        sendUpdate(access.endpoint, {
          zone: access.zone,
          changes: replaceA("guarded.drill.test", "127.0.9.9", 5),
          ...(key === undefined ? {} : { key }),
        });
      await assert.rejects(attempt(), refusedWith(Rcode.REFUSED));
      await assert.rejects(
        attempt(keyOf(access, { secret: Buffer.alloc(32, 7) })),
        refusedWith(Rcode.NOTAUTH, TsigError.BADSIG),
      );
      await assert.rejects(
        attempt(keyOf(access, { name: "someone-else" })),
        refusedWith(Rcode.NOTAUTH, TsigError.BADKEY),
      );
      const answer = await queryA(provider.endpoint, "guarded.drill.test", { timeoutMs: 1000 });
      assert.equal(answer.address, "127.0.1.1");
    });

    it("moves the name when the nsupdate script written for a callback runs as the unprivileged user", async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), "nsupdate-"));
      try {
        await chmod(dir, 0o755);
        const files = await writeNsupdateScript(dir, provider.update!, {
          name: "callback.drill.test",
          address: "127.0.2.1",
          ttlSeconds: 3,
        });
        await runCommand(files.script, [], { asUnprivileged: true, timeoutMs: 10_000 });
        assert.deepEqual(await queryA(provider.endpoint, "callback.drill.test", { timeoutMs: 1000 }), {
          address: "127.0.2.1",
          ttlMs: 3000,
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
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
