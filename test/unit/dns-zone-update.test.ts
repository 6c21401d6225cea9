// The embedded server's records under RFC 2136 updates (src/dns/zone-update.ts), on literal requests:
// prerequisites all checked before any change, changes applied in order, one A record per name.
import assert from "node:assert/strict";
import type { UpdateRequest } from "../../src/dns/update.ts";
import { replaceA } from "../../src/dns/update.ts";
import { Rcode, RecordType, aRecord } from "../../src/dns/wire.ts";
import { applyUpdate, type HeldARecord } from "../../src/dns/zone-update.ts";

const A = RecordType.A;
const records = (): Map<string, HeldARecord> =>
  new Map([["api.drill.test", { address: "127.0.1.1", ttlSeconds: 5 }]]);
const request = (parts: Partial<UpdateRequest>): UpdateRequest => ({
  id: 1,
  zone: "drill.test",
  prerequisites: [],
  changes: [],
  ...parts,
});

describe("RFC 2136 updates on the embedded server's records", () => {
  it("replaces the address and TTL with a delete-then-add, whatever the name's case", () => {
    const held = records();
    assert.equal(
      applyUpdate(held, request({ changes: replaceA("API.drill.test.", "127.0.2.1", 9) })),
      Rcode.NOERROR,
    );
    assert.deepEqual([...held], [["api.drill.test", { address: "127.0.2.1", ttlSeconds: 9 }]]);
  });

  it("deletes a name by RRset, by name, or by its exact record only", () => {
    for (const change of [
      { op: "deleteRRset", name: "api.drill.test", type: A },
      { op: "deleteRRset", name: "api.drill.test", type: RecordType.ANY },
      { op: "deleteName", name: "api.drill.test" },
      { op: "deleteRecord", name: "api.drill.test", type: A, data: Uint8Array.from([127, 0, 1, 1]) },
    ] as const) {
      const held = records();
      assert.equal(applyUpdate(held, request({ changes: [change] })), Rcode.NOERROR);
      assert.equal(held.size, 0, change.op);
    }
    const held = records();
    const other = {
      op: "deleteRecord",
      name: "api.drill.test",
      type: A,
      data: Uint8Array.from([127, 0, 9, 9]),
    } as const;
    applyUpdate(
      held,
      request({ changes: [other, { op: "deleteRRset", name: "api.drill.test", type: RecordType.TXT }] }),
    );
    assert.equal(held.size, 1, "another address or another type leaves the record");
  });

  it("answers each failed prerequisite with its rcode and changes nothing", () => {
    const add = replaceA("api.drill.test", "127.0.2.1", 5);
    const cases = [
      [{ op: "nameInUse", name: "nobody.drill.test" }, Rcode.NXDOMAIN],
      [{ op: "nameNotInUse", name: "api.drill.test" }, Rcode.YXDOMAIN],
      [{ op: "rrsetAbsent", name: "api.drill.test", type: A }, Rcode.YXRRSET],
      [{ op: "rrsetExists", name: "nobody.drill.test", type: A }, Rcode.NXRRSET],
      [
        { op: "rrsetExists", name: "api.drill.test", type: A, data: Uint8Array.from([127, 0, 9, 9]) },
        Rcode.NXRRSET,
      ],
    ] as const;
    for (const [prerequisite, rcode] of cases) {
      const held = records();
      assert.equal(
        applyUpdate(held, request({ prerequisites: [prerequisite], changes: add })),
        rcode,
        prerequisite.op,
      );
      assert.equal(held.get("api.drill.test")?.address, "127.0.1.1");
    }
    const held = records();
    const exact = {
      op: "rrsetExists",
      name: "api.drill.test",
      type: A,
      data: Uint8Array.from([127, 0, 1, 1]),
    } as const;
    assert.equal(applyUpdate(held, request({ prerequisites: [exact], changes: add })), Rcode.NOERROR);
    assert.equal(held.get("api.drill.test")?.address, "127.0.2.1");
  });

  it("refuses an add of any type but A before applying any change of the request", () => {
    const held = records();
    const txt = {
      name: "api.drill.test",
      type: RecordType.TXT,
      class: 1,
      ttl: 5,
      data: Uint8Array.from([1, 65]),
    };
    const changes = [
      { op: "deleteName", name: "api.drill.test" } as const,
      { op: "add", record: txt } as const,
    ];
    assert.equal(applyUpdate(held, request({ changes })), Rcode.REFUSED);
    assert.equal(held.size, 1);
    assert.equal(
      applyUpdate(
        held,
        request({
          changes: [
            { op: "add", record: { ...aRecord("x.drill.test", "127.0.0.1", 1), data: Uint8Array.from([1]) } },
          ],
        }),
      ),
      Rcode.FORMERR,
    );
  });
});
