// RFC 2136 UPDATE and TSIG (RFC 8945) on literal packets: one nsupdate sent and two replies BIND 9.18
// gave, captured on loopback with the key below, so the codec is held to the real tools byte by byte.
import assert from "node:assert/strict";
import { readTsig, signMessage, TsigError, verifyMessage, type TsigKey } from "../../src/dns/tsig.ts";
import { readUpdate, replaceA, updateMessage, UpdateRejected } from "../../src/dns/update.ts";
import {
  Opcode,
  Rcode,
  RecordClass,
  RecordType,
  aRecord,
  decode,
  encode,
  message,
} from "../../src/dns/wire.ts";

/** The key both captures were made with (key "drill-test-key" { algorithm hmac-sha256; secret "ZHJp..."; }). */
const KEY: TsigKey = {
  name: "drill-test-key",
  algorithm: "hmac-sha256",
  secret: Buffer.from("ZHJpbGwtdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE=", "base64"),
};

/**
 * `nsupdate -k` (BIND 9.18) with: server 127.0.0.1 15399 / zone drill.test / update delete
 * api.drill.test A / update add api.drill.test 5 A 127.0.2.1 / send.
 */
const NSUPDATE = Buffer.from(
  "43e528000001000000020001056472696c6c0474657374000006000103617069c00c000100ff000000000000c01c" +
    "000100010000000500047f0002010e6472696c6c2d746573742d6b65790000fa00ff00000000003d0b686d61632d" +
    "7368613235360000006b0c2df7012c00202b6682e6ff22b79e893e2527db7b787cb69bf3cee14f1bece6d369f6ea" +
    "7d201043e500000000",
  "hex",
);
const NSUPDATE_TIME = 0x6b0c2df7;

/** Our signed update (id 0x1234, 127.0.3.1) and BIND's NOERROR reply to it. */
const OURS = {
  request: Buffer.from(
    "123428000001000000020001056472696c6c0474657374000006000103617069c00c000100ff000000000000c01c" +
      "000100010000000500047f0003010e6472696c6c2d746573742d6b65790000fa00ff00000000003d0b686d61632d" +
      "7368613235360000006b0c3068012c00205a360f92c2b4fd162749c50ab9a0b15bdeb2d1f2f32ae24301e6898fc5" +
      "34738d123400000000",
    "hex",
  ),
  reply: Buffer.from(
    "1234a8000001000000000001056472696c6c047465737400000600010e6472696c6c2d746573742d6b65790000fa" +
      "00ff00000000003d0b686d61632d7368613235360000006b0c3068012c002018b6090e2877eda53fce879e138046" +
      "4d2d3322790831ce70da4a22d02b6dbf9c123400000000",
    "hex",
  ),
  time: 0x6b0c3068,
};

/** BIND's reply to an update signed with the right key name but a wrong secret: NOTAUTH, BADSIG, no MAC. */
const BADSIG_REPLY = Buffer.from(
  "5678a8090001000000000001056472696c6c047465737400000600010e6472696c6c2d746573742d6b65790000fa" +
    "00ff00000000001d0b686d61632d7368613235360000006b0c306c012c0000567800100000",
  "hex",
);

/** The message before signing: the TSIG record cut off, ARCOUNT one less. */
function withoutTsig(packet: Buffer): Buffer {
  const found = readTsig(packet);
  assert.ok(found);
  const out = Buffer.from(packet.subarray(0, found.offset));
  out.writeUInt16BE(out.readUInt16BE(10) - 1, 10);
  return out;
}

describe("RFC 2136 UPDATE and TSIG on literal packets", () => {
  it("reads nsupdate's TSIG record: key, algorithm, time, fudge, a 32-octet MAC and the original id", () => {
    const found = readTsig(NSUPDATE);
    assert.ok(found);
    const { mac, ...rest } = found.record;
    assert.deepEqual(rest, {
      keyName: "drill-test-key",
      algorithmName: "hmac-sha256",
      timeSigned: NSUPDATE_TIME,
      fudge: 300,
      originalId: 0x43e5,
      error: 0,
      otherData: Buffer.alloc(0),
    });
    assert.equal(mac.length, 32);
  });

  it("verifies nsupdate's signature with the key, at its own time", () => {
    assert.equal(verifyMessage(NSUPDATE, [KEY], { now: NSUPDATE_TIME }).status, "ok");
  });

  it("signs the same message at the same time into exactly nsupdate's bytes", () => {
    const { packet } = signMessage(withoutTsig(NSUPDATE), KEY, { timeSigned: NSUPDATE_TIME });
    assert.equal(packet.toString("hex"), NSUPDATE.toString("hex"));
  });

  it("encodes the delete-then-add update into exactly nsupdate's message, compression included", () => {
    const ours = encode(
      updateMessage({
        id: 0x43e5,
        zone: "drill.test",
        prerequisites: [],
        changes: replaceA("api.drill.test", "127.0.2.1", 5),
      }),
    );
    assert.equal(ours.toString("hex"), withoutTsig(NSUPDATE).toString("hex"));
  });

  it("reads nsupdate's update: the zone, a delete of the A RRset and an add", () => {
    const request = readUpdate(decode(NSUPDATE));
    assert.equal(request.zone, "drill.test");
    assert.deepEqual(request.prerequisites, []);
    assert.deepEqual(request.changes, [
      { op: "deleteRRset", name: "api.drill.test", type: RecordType.A },
      { op: "add", record: aRecord("api.drill.test", "127.0.2.1", 5) },
    ]);
  });

  it("finds a changed octet (BADSIG), an unknown key (BADKEY) and a stale time (BADTIME)", () => {
    const tampered = Buffer.from(NSUPDATE);
    tampered[tampered.indexOf(Buffer.from([127, 0, 2, 1]))! + 3] = 2; // 127.0.2.2
    const now = { now: NSUPDATE_TIME };
    const status = (p: Buffer, keys: TsigKey[], at = now) => {
      const v = verifyMessage(p, keys, at);
      return v.status === "bad" ? v.error : v.status;
    };
    assert.equal(status(tampered, [KEY]), TsigError.BADSIG);
    assert.equal(status(NSUPDATE, [{ ...KEY, name: "other-key" }]), TsigError.BADKEY);
    assert.equal(status(NSUPDATE, [{ ...KEY, algorithm: "hmac-sha512" }]), TsigError.BADKEY);
    assert.equal(status(NSUPDATE, [KEY], { now: NSUPDATE_TIME + 301 }), TsigError.BADTIME);
    assert.equal(status(NSUPDATE, [KEY], { now: NSUPDATE_TIME - 300 }), "ok");
    assert.equal(status(withoutTsig(NSUPDATE), [KEY]), "unsigned");
  });

  it("verifies BIND's signed NOERROR reply over the MAC of the request it answers, and only with it", () => {
    const requestMac = readTsig(OURS.request)!.record.mac;
    assert.equal(verifyMessage(OURS.request, [KEY], { now: OURS.time }).status, "ok");
    assert.equal(verifyMessage(OURS.reply, [KEY], { now: OURS.time, requestMac }).status, "ok");
    const otherMac = readTsig(NSUPDATE)!.record.mac;
    const wrong = verifyMessage(OURS.reply, [KEY], { now: OURS.time, requestMac: otherMac });
    assert.equal(wrong.status === "bad" && wrong.error, TsigError.BADSIG);
    const header = decode(OURS.reply).header;
    assert.deepEqual([header.qr, header.opcode, header.rcode], [true, Opcode.UPDATE, Rcode.NOERROR]);
  });

  it("signs a reply the way BIND does: our reply to its request equals its reply byte for byte", () => {
    const requestMac = readTsig(OURS.request)!.record.mac;
    const reply = encode(
      message({
        header: { id: 0x1234, qr: true, opcode: Opcode.UPDATE, rcode: Rcode.NOERROR },
        questions: [{ name: "drill.test", type: RecordType.SOA, class: RecordClass.IN }],
      }),
    );
    const ours = signMessage(reply, KEY, { timeSigned: OURS.time, requestMac }).packet;
    assert.equal(ours.toString("hex"), OURS.reply.toString("hex"));
  });

  it("writes the unsigned BADSIG reply BIND writes: NOTAUTH, the request's time, an empty MAC", () => {
    const reply = encode(
      message({
        header: { id: 0x5678, qr: true, opcode: Opcode.UPDATE, rcode: Rcode.NOTAUTH },
        questions: [{ name: "drill.test", type: RecordType.SOA, class: RecordClass.IN }],
      }),
    );
    const ours = signMessage(reply, KEY, { timeSigned: 0x6b0c306c, error: TsigError.BADSIG, unsigned: true });
    assert.equal(ours.packet.toString("hex"), BADSIG_REPLY.toString("hex"));
    assert.equal(readTsig(BADSIG_REPLY)!.record.error, TsigError.BADSIG);
  });

  it("encodes every prerequisite and change with RFC 2136's classes and reads them back", () => {
    const data = Uint8Array.from([127, 0, 1, 1]);
    const request = {
      id: 9,
      zone: "drill.test",
      prerequisites: [
        { op: "rrsetExists", name: "a.drill.test", type: RecordType.A },
        { op: "rrsetExists", name: "a.drill.test", type: RecordType.A, data },
        { op: "rrsetAbsent", name: "b.drill.test", type: RecordType.A },
        { op: "nameInUse", name: "a.drill.test" },
        { op: "nameNotInUse", name: "c.drill.test" },
      ] as const,
      changes: [
        { op: "deleteName", name: "a.drill.test" },
        { op: "deleteRecord", name: "a.drill.test", type: RecordType.A, data },
        { op: "deleteRRset", name: "a.drill.test", type: RecordType.A },
        { op: "add", record: aRecord("a.drill.test", "127.0.1.1", 5) },
      ] as const,
    };
    const msg = decode(
      encode(
        updateMessage({
          ...request,
          prerequisites: [...request.prerequisites],
          changes: [...request.changes],
        }),
      ),
    );
    assert.deepEqual(
      msg.answers.map((rr) => [rr.class, rr.type, rr.data.length]),
      [
        [RecordClass.ANY, RecordType.A, 0],
        [RecordClass.IN, RecordType.A, 4],
        [RecordClass.NONE, RecordType.A, 0],
        [RecordClass.ANY, RecordType.ANY, 0],
        [RecordClass.NONE, RecordType.ANY, 0],
      ],
    );
    assert.deepEqual(
      msg.authorities.map((rr) => [rr.class, rr.type, rr.ttl]),
      [
        [RecordClass.ANY, RecordType.ANY, 0],
        [RecordClass.NONE, RecordType.A, 0],
        [RecordClass.ANY, RecordType.A, 0],
        [RecordClass.IN, RecordType.A, 5],
      ],
    );
    assert.deepEqual(readUpdate(msg), {
      ...request,
      prerequisites: [...request.prerequisites],
      changes: [...request.changes],
    });
  });

  it("refuses an update naming a record outside its zone (NOTZONE) or no SOA zone (FORMERR)", () => {
    const outside = decode(
      encode(
        updateMessage({
          id: 1,
          zone: "drill.test",
          prerequisites: [],
          changes: replaceA("api.other.test", "127.0.0.1", 5),
        }),
      ),
    );
    assert.throws(
      () => readUpdate(outside),
      (e: unknown) => e instanceof UpdateRejected && e.rcode === Rcode.NOTZONE,
    );
    const noZone = decode(
      encode(
        message({
          header: { opcode: Opcode.UPDATE },
          questions: [{ name: "drill.test", type: RecordType.A, class: 1 }],
        }),
      ),
    );
    assert.throws(
      () => readUpdate(noZone),
      (e: unknown) => e instanceof UpdateRejected && e.rcode === Rcode.FORMERR,
    );
  });
});
