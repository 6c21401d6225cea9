import assert from "node:assert/strict";
import {
  DnsWireError,
  Opcode,
  Rcode,
  RecordClass,
  RecordType,
  aRecord,
  decode,
  decodeHeader,
  decodeIPv4,
  encode,
  message,
  normalizeName,
} from "../../src/dns/wire.ts";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

// `dig example.com` (BIND 9.18): id 0x8c4f, RD and AD set, one question, EDNS OPT with a client cookie.
const DIG_QUERY = hex(`
  8c4f 0120 0001 0000 0000 0001
  07 6578616d706c65 03 636f6d 00  0001 0001
  00 0029 04d0 00000000 000c  000a 0008 a1b2c3d4e5f60718
`);

// A resolver's reply to it: the answer's owner name is a pointer (c00c) to the question's name.
const EXAMPLE_REPLY = hex(`
  8c4f 8180 0001 0001 0000 0000
  07 6578616d706c65 03 636f6d 00  0001 0001
  c00c 0001 0001 00000e10 0004 5db8d822
`);

describe("DNS wire format", () => {
  it("decodes a dig query for example.com written out byte by byte", () => {
    const msg = decode(DIG_QUERY);
    assert.equal(msg.header.id, 0x8c4f);
    assert.equal(msg.header.qr, false);
    assert.equal(msg.header.opcode, Opcode.QUERY);
    assert.equal(msg.header.rd, true);
    assert.equal(msg.header.aa, false);
    assert.equal(msg.header.rcode, Rcode.NOERROR);
    assert.deepEqual(msg.questions, [{ name: "example.com", type: RecordType.A, class: RecordClass.IN }]);
    assert.equal(msg.answers.length, 0);
    assert.equal(msg.additionals.length, 1);
    const opt = msg.additionals[0];
    assert.equal(opt?.name, "");
    assert.equal(opt?.type, RecordType.OPT);
    assert.equal(opt?.class, 1232); // the advertised UDP payload size rides in the class field
    assert.deepEqual(Buffer.from(opt?.data ?? []), hex("000a 0008 a1b2c3d4e5f60718"));
  });

  it("follows a compression pointer in an answer's owner name", () => {
    const msg = decode(EXAMPLE_REPLY);
    assert.equal(msg.header.qr, true);
    assert.equal(msg.header.ra, true);
    assert.equal(msg.answers.length, 1);
    const answer = msg.answers[0];
    assert.equal(answer?.name, "example.com");
    assert.equal(answer?.ttl, 3600);
    assert.equal(decodeIPv4(answer?.data ?? new Uint8Array()), "93.184.216.34");
  });

  it("follows a pointer that follows labels, and a pointer to a pointer", () => {
    // question example.com at 12; answer 1 owner www + ptr(12) at 29; answer 2 owner ptr(29).
    const packet = hex(`
      0001 8400 0001 0002 0000 0000
      07 6578616d706c65 03 636f6d 00  0001 0001
      03 777777 c00c  0001 0001 0000003c 0004 7f000001
      c01d           0001 0001 0000003c 0004 7f000002
    `);
    const msg = decode(packet);
    assert.deepEqual(
      msg.answers.map((rr) => [rr.name, decodeIPv4(rr.data)]),
      [
        ["www.example.com", "127.0.0.1"],
        ["www.example.com", "127.0.0.2"],
      ],
    );
  });

  it("round-trips a response through encode and decode", () => {
    const original = message({
      header: { id: 0xbeef, qr: true, opcode: Opcode.QUERY, aa: true, rd: true, rcode: Rcode.NOERROR },
      questions: [{ name: "api.drill.test", type: RecordType.A, class: RecordClass.IN }],
      answers: [aRecord("api.drill.test", "127.0.0.2", 30), aRecord("db.drill.test", "127.0.0.3", 0)],
    });
    const decoded = decode(encode(original));
    assert.deepEqual(decoded, original);
  });

  it("round-trips every header flag, opcode and rcode bit", () => {
    const original = message({
      header: { id: 7, qr: true, opcode: Opcode.UPDATE, aa: true, tc: true, rd: true, ra: true, rcode: 15 },
    });
    assert.deepEqual(decode(encode(original)).header, original.header);
    assert.deepEqual(encode(original), hex("0007 af8f 0000 0000 0000 0000"));
  });

  it("encodes a query to the exact octets of RFC 1035", () => {
    const query = encode(
      message({
        header: { id: 0x8c4f, rd: true },
        questions: [{ name: "example.com.", type: RecordType.A, class: RecordClass.IN }],
      }),
    );
    assert.deepEqual(query, hex("8c4f 0100 0001 0000 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001"));
  });

  it("compresses a repeated name into a pointer to its first occurrence", () => {
    const encoded = encode(
      message({
        header: { qr: true },
        questions: [{ name: "Example.com", type: RecordType.A, class: RecordClass.IN }],
        answers: [aRecord("example.com", "93.184.216.34", 3600)],
      }),
    );
    assert.deepEqual(encoded.subarray(29, 31), hex("c00c"));
    assert.equal(encoded.length, EXAMPLE_REPLY.length);
  });

  it("reads the header of a packet too short for anything else", () => {
    const header = decodeHeader(hex("1234 2800 0001 0000 0000 0000"));
    assert.equal(header.id, 0x1234);
    assert.equal(header.opcode, Opcode.UPDATE);
    assert.deepEqual(header.counts, [1, 0, 0, 0]);
  });

  it("normalises names to lower case without the trailing dot", () => {
    assert.equal(normalizeName("API.Drill.Test."), "api.drill.test");
    assert.equal(normalizeName("."), "");
  });

  describe("rejects malformed input with DnsWireError", () => {
    const cases: Array<[string, Buffer]> = [
      ["an empty packet", Buffer.alloc(0)],
      ["a header cut short", hex("8c4f 0120 0001")],
      ["a question cut inside a label", DIG_QUERY.subarray(0, 16)],
      ["a question without its type and class", DIG_QUERY.subarray(0, 25)],
      ["a record whose RDATA is cut short", EXAMPLE_REPLY.subarray(0, EXAMPLE_REPLY.length - 1)],
      ["a compression pointer to itself", hex("0001 0000 0001 0000 0000 0000 c00c 0001 0001")],
      ["a label followed by a pointer back to it", hex("0001 0000 0001 0000 0000 0000 01 61 c00c 0001 0001")],
      ["two compression pointers pointing at each other", hex("0001 0000 0001 0000 0000 0000 c00e c00c")],
      ["a compression pointer pointing forwards", hex("0001 0000 0001 0000 0000 0000 c014 0001 0001 00")],
      ["a compression pointer cut in half", hex("0001 0000 0001 0000 0000 0000 c0")],
      ["a reserved label type", hex("0001 0000 0001 0000 0000 0000 41 61 00 0001 0001")],
      [
        "a name longer than 255 octets",
        Buffer.concat([
          hex("0001 0000 0001 0000 0000 0000"),
          ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])),
          hex("00 0001 0001"),
        ]),
      ],
    ];
    for (const [what, packet] of cases) {
      it(`throws on ${what}`, () => {
        assert.throws(() => decode(packet), DnsWireError);
      });
    }
  });

  it("refuses to encode names and values that do not fit the wire format", () => {
    const query = (name: string) =>
      message({ questions: [{ name, type: RecordType.A, class: RecordClass.IN }] });
    assert.throws(() => encode(query("a..b")), DnsWireError);
    assert.throws(() => encode(query(`${"x".repeat(64)}.test`)), DnsWireError);
    assert.throws(() => encode(query(Array.from({ length: 130 }, () => "a").join("."))), DnsWireError);
    assert.throws(() => encode(query("snow☃.test")), DnsWireError);
    assert.throws(() => encode(message({ header: { id: 0x10000 } })), DnsWireError);
    assert.throws(() => aRecord("a.test", "::1", 1), DnsWireError);
  });
});
