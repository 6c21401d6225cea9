// BIND's configuration for a drill and what its log says about updates, on literal text (lines as
// BIND 9.18.49 wrote them on this project's test machine).
import assert from "node:assert/strict";
import { namedConf, zoneFile } from "../../src/dns/bind9/config.ts";
import { bindLogTime, bindUpdateLines } from "../../src/dns/bind9/log.ts";

const LOG = `29-Nov-2026 13:49:34.868 zone drill.test/IN: loaded serial 1
29-Nov-2026 13:49:36.872 client @0x7efc870ea098 127.0.0.1#54302/key drill-key: signer "drill-key" approved
29-Nov-2026 13:49:36.872 client @0x7efc870ea098 127.0.0.1#54302/key drill-key: updating zone 'drill.test/IN': deleting rrset at 'api.drill.test' A
29-Nov-2026 13:49:36.872 client @0x7efc870ea098 127.0.0.1#54302/key drill-key: updating zone 'drill.test/IN': adding an RR at 'api.drill.test' A 127.0.1.1
29-Nov-2026 13:49:36.956 client @0x7efc870ea098 127.0.0.1#38677: update 'drill.test/IN' denied
29-Nov-2026 14:02:20.076 client @0x7fd61bad3098 127.0.0.1#36590: request has invalid signature: TSIG drill-test-key: tsig verify failure (BADSIG)
`;

describe("BIND 9 files for a drill", () => {
  it("reads every update BIND applied or refused from its log, with time, client and key", () => {
    assert.deepEqual(bindUpdateLines(LOG), [
      {
        at: "29-Nov-2026 13:49:36.872",
        client: "127.0.0.1#54302",
        key: "drill-key",
        zone: "drill.test",
        action: "delete-rrset",
        name: "api.drill.test",
        type: "A",
      },
      {
        at: "29-Nov-2026 13:49:36.872",
        client: "127.0.0.1#54302",
        key: "drill-key",
        zone: "drill.test",
        action: "add",
        name: "api.drill.test",
        type: "A",
        data: "127.0.1.1",
      },
      { at: "29-Nov-2026 13:49:36.956", client: "127.0.0.1#38677", zone: "drill.test", action: "denied" },
      {
        at: "29-Nov-2026 14:02:20.076",
        client: "127.0.0.1#36590",
        key: "drill-test-key",
        zone: "",
        action: "bad-signature",
        data: "BADSIG",
      },
    ]);
  });

  it("reads named's local-time timestamps to the millisecond", () => {
    assert.deepEqual(bindLogTime("29-Nov-2026 13:49:36.872"), new Date(2026, 10, 29, 13, 49, 36, 872));
    assert.throws(() => bindLogTime("2026-11-29T13:49:36Z"), /not a named timestamp/);
  });

  it("configures BIND for the zone alone: its address and port, no recursion, updates only with the key", () => {
    const conf = namedConf({
      dir: "/ws/dns",
      host: "127.0.0.1",
      port: 5353,
      zone: "Drill.Test.",
      zoneFile: "/ws/dns/zone.db",
      key: { name: "k", algorithm: "hmac-sha256", secret: Buffer.from("secret") },
    });
    assert.match(conf, /listen-on port 5353 \{ 127\.0\.0\.1; \};/);
    assert.match(conf, /recursion no;/);
    assert.match(conf, /controls \{ \};/);
    assert.match(conf, /algorithm hmac-sha256;\n {2}secret "c2VjcmV0";/);
    assert.match(
      conf,
      /zone "drill\.test" \{\n {2}type primary;\n {2}file "\/ws\/dns\/zone\.db";\n {2}allow-update \{ key "k"; \};/,
    );
  });

  it("starts the zone with SOA, NS and the name server's address, and a 1 s negative TTL", () => {
    const zone = zoneFile({ zone: "drill.test", host: "127.0.0.1" });
    assert.match(zone, /^\$ORIGIN drill\.test\.$/m);
    assert.match(
      zone,
      /@ IN SOA ns-failover-drill\.drill\.test\. hostmaster\.drill\.test\. 1 3600 600 86400 1$/m,
    );
    assert.match(zone, /^ns-failover-drill IN A 127\.0\.0\.1$/m);
  });
});
