// Our DNS wire codec (src/dns/wire.ts) held to a well-kept independent one, dns-packet (the codec of
// multicast-dns and bittorrent-dht): each side encodes, the other decodes, and both must agree. Why
// the hand-written codec stays rather than being replaced: docs/architecture.md (DNS providers).
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import dnsPacket from "dns-packet";
import {
  Opcode,
  Rcode,
  RecordClass,
  RecordType,
  aRecord,
  decode,
  decodeIPv4,
  encode,
  message,
} from "../../src/dns/wire.ts";
import { readUpdate, updateMessage } from "../../src/dns/update.ts";

/** Seeded by the loop index, so a failure names the case that broke. */
function sampleName(i: number): string {
  const labels = ["api", "drill", "test", "us-east", "a".repeat(63), "x1", "Mixed-Case"];
  const count = 1 + (i % 4);
  return Array.from({ length: count }, (_, k) => labels[(i * 7 + k * 3) % labels.length]).join(".");
}
const sampleAddress = (i: number): string => `127.${i % 256}.${(i * 13) % 256}.${(i * 29) % 256}`;

describe("DNS wire format against dns-packet", () => {
  it("writes queries that dns-packet reads back with the same id, flags and question", () => {
    for (let i = 0; i < 200; i++) {
      const name = sampleName(i);
      const packet = encode(
        message({
          header: { id: (i * 977) % 65_536, rd: i % 2 === 0 },
          questions: [{ name, type: RecordType.A, class: RecordClass.IN }],
        }),
      );
      const theirs = dnsPacket.decode(packet);
      assert.equal(theirs.id, (i * 977) % 65_536, name);
      assert.equal(theirs.type, "query");
      assert.equal(Boolean((theirs.flags ?? 0) & dnsPacket.RECURSION_DESIRED), i % 2 === 0);
      assert.deepEqual(theirs.questions, [{ name, type: "A", class: "IN" }]);
    }
  });

  it("writes authoritative A answers that dns-packet reads back with the same address and TTL", () => {
    for (let i = 0; i < 200; i++) {
      const name = sampleName(i);
      const ttl = [0, 1, 5, 30, 86_400, 0x7fffffff][i % 6]!;
      const packet = encode(
        message({
          header: { id: i, qr: true, aa: true, rcode: Rcode.NOERROR },
          questions: [{ name, type: RecordType.A, class: RecordClass.IN }],
          answers: [aRecord(name, sampleAddress(i), ttl)],
        }),
      );
      const theirs = dnsPacket.decode(packet);
      assert.equal(theirs.type, "response");
      assert.equal(Boolean((theirs.flags ?? 0) & dnsPacket.AUTHORITATIVE_ANSWER), true);
      assert.equal((theirs.flags ?? 0) & 0xf, 0, "rcode NOERROR");
      const [answer] = theirs.answers ?? [];
      assert.ok(answer !== undefined && answer.type === "A");
      assert.deepEqual(
        { name: answer.name, data: answer.data, ttl: answer.ttl },
        { name, data: sampleAddress(i), ttl },
      );
    }
  });

  it("reads the answers dns-packet writes, name compression and extra sections included", () => {
    for (let i = 0; i < 200; i++) {
      const name = sampleName(i);
      const ttl = randomInt(0, 2 ** 31);
      const packet = dnsPacket.encode({
        type: "response",
        id: i,
        flags: dnsPacket.AUTHORITATIVE_ANSWER,
        questions: [{ type: "A", name }],
        answers: [
          { type: "A", name, ttl, data: sampleAddress(i) },
          { type: "A", name, ttl, data: sampleAddress(i + 1) },
        ],
        additionals: [{ type: "TXT", name: `info.${name}`.slice(-250), data: "drill" }],
      });
      const ours = decode(packet);
      assert.equal(ours.header.id, i);
      assert.equal(ours.header.qr, true);
      assert.equal(ours.header.aa, true);
      assert.equal(ours.header.opcode, Opcode.QUERY);
      assert.deepEqual(ours.questions, [{ name, type: RecordType.A, class: RecordClass.IN }]);
      assert.deepEqual(
        ours.answers.map((a) => ({ name: a.name, ttl: a.ttl, address: decodeIPv4(a.data) })),
        [
          { name, ttl, address: sampleAddress(i) },
          { name, ttl, address: sampleAddress(i + 1) },
        ],
      );
      assert.equal(ours.additionals.length, 1);
    }
  });

  // dns-packet reads an A record's 4 octets whatever RDLENGTH says, so it cannot read RFC 2136's
  // RDATA-less deletes; those are held to nsupdate's own packet (dns-update-wire.test.ts) instead.
  it("writes UPDATE messages that dns-packet reads as opcode UPDATE with the zone and the added records", () => {
    for (let i = 0; i < 100; i++) {
      const name = `${sampleName(i)}.drill.test`.toLowerCase();
      const packet = encode(
        updateMessage({
          id: i,
          zone: "drill.test",
          prerequisites: [],
          changes: [{ op: "add", record: aRecord(name, sampleAddress(i), i) }],
        }),
      );
      const theirs = dnsPacket.decode(packet);
      assert.equal(((theirs.flags ?? 0) >> 11) & 0xf, Opcode.UPDATE);
      assert.deepEqual(theirs.questions, [{ name: "drill.test", type: "SOA", class: "IN" }]);
      const [added] = theirs.authorities ?? [];
      assert.ok(added !== undefined && added.type === "A");
      assert.deepEqual([added.name, added.ttl, added.data], [name, i, sampleAddress(i)]);
    }
  });

  it("reads UPDATE messages dns-packet writes into the zone and the records to add", () => {
    for (let i = 0; i < 100; i++) {
      const name = `${sampleName(i)}.drill.test`;
      const packet = dnsPacket.encode({
        type: "query",
        id: i,
        flags: Opcode.UPDATE << 11,
        questions: [{ type: "SOA", name: "drill.test", class: "IN" }],
        authorities: [{ type: "A", name, class: "IN", ttl: i, data: sampleAddress(i) }],
      });
      const update = readUpdate(decode(packet));
      assert.equal(update.zone, "drill.test");
      assert.deepEqual(update.changes, [{ op: "add", record: aRecord(name, sampleAddress(i), i) }]);
    }
  });
});
