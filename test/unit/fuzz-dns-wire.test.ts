// Hostile packets for the DNS codec and the embedded server (issue 13, item 6): random bytes and
// mutations of real packets decode to a message or fail with DnsWireError / UpdateRejected, never
// anything else and never a hang; the server on 127.0.0.1 keeps answering after a burst of garbage.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import fc from "fast-check";
import { DnsServer } from "../../src/dns/server.ts";
import { generateTsigKey, readTsig, signMessage, verifyMessage, type TsigKey } from "../../src/dns/tsig.ts";
import { readUpdate, replaceA, updateMessage, UpdateRejected } from "../../src/dns/update.ts";
import {
  decode,
  decodeHeader,
  DnsWireError,
  encode,
  lastRecord,
  message,
  Opcode,
  RecordClass,
  RecordType,
  type DnsMessage,
} from "../../src/dns/wire.ts";

const KEY: TsigKey = {
  name: "drill-test-key",
  algorithm: "hmac-sha256",
  secret: Buffer.from("ZHJpbGwtdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE=", "base64"),
};

/** `nsupdate -k` (BIND 9.18) replacing api.drill.test's A record (as in dns-update-wire.test.ts). */
const NSUPDATE = Buffer.from(
  "43e528000001000000020001056472696c6c0474657374000006000103617069c00c000100ff000000000000c01c" +
    "000100010000000500047f0002010e6472696c6c2d746573742d6b65790000fa00ff00000000003d0b686d61632d" +
    "7368613235360000006b0c2df7012c00202b6682e6ff22b79e893e2527db7b787cb69bf3cee14f1bece6d369f6ea" +
    "7d201043e500000000",
  "hex",
);

const QUERY = encode(
  message({
    header: { id: 0x4242, rd: true, opcode: Opcode.QUERY },
    questions: [{ name: "api.drill.test", type: RecordType.A, class: RecordClass.IN }],
  }),
);
const update = (id: number) =>
  encode(
    updateMessage({
      id,
      zone: "drill.test",
      prerequisites: [],
      changes: replaceA("api.drill.test", "127.0.3.1", 5),
    }),
  );
const OUR_UPDATE = signMessage(update(0x1234), KEY).packet;
const REAL = [NSUPDATE, QUERY, OUR_UPDATE];

/** A real packet with bytes flipped, cut, inserted, or pointed at itself (compression loops). */
const mutatedPacket: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom(...REAL),
    fc.array(
      fc.record({
        kind: fc.constantFrom("set", "truncate", "insert", "pointer"),
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([source, mutations]) => {
    let bytes = Buffer.from(source);
    for (const m of mutations) {
      const i = m.at % Math.max(1, bytes.length);
      if (m.kind === "set") bytes[i] = m.byte;
      else if (m.kind === "truncate") bytes = bytes.subarray(0, i);
      else if (m.kind === "insert")
        bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([m.byte]), bytes.subarray(i)]);
      else if (i + 1 < bytes.length) {
        // A compression pointer to somewhere in the packet, often to itself or forward.
        bytes[i] = 0xc0 | ((m.byte >> 6) & 0x3f);
        bytes[i + 1] = m.byte;
      }
    }
    return bytes;
  });

const anyPacket = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  mutatedPacket,
  mutatedPacket,
);

/** Every entry point a received packet reaches: a value, or one of the codec's own errors. */
function decodesOrRefuses(packet: Buffer): void {
  const typed = (fn: () => unknown): void => {
    try {
      fn();
    } catch (err) {
      if (err instanceof DnsWireError || err instanceof UpdateRejected) return;
      assert.fail(`${(err as Error).stack ?? String(err)}\nfor packet ${packet.toString("hex")}`);
    }
  };
  typed(() => decodeHeader(packet));
  typed(() => lastRecord(packet));
  typed(() => readTsig(packet));
  typed(() => verifyMessage(packet, [KEY], { now: 0x6b0c2df7 }));
  let msg: DnsMessage | undefined;
  typed(() => {
    msg = decode(packet);
  });
  if (msg !== undefined) {
    const decoded = msg;
    typed(() => readUpdate(decoded));
    typed(() => decode(encode(decoded)));
  }
}

describe("hostile DNS packets", function () {
  this.timeout(60_000);

  it("decode, TSIG and UPDATE reading give a message or a typed error for any packet", () => {
    fc.assert(
      fc.property(anyPacket, (packet) => decodesOrRefuses(packet)),
      { numRuns: 1500, seed: 13 },
    );
  });

  it("the embedded server keeps answering queries and signed updates after a burst of garbage", async () => {
    const key = generateTsigKey("fuzz-key");
    const server = await DnsServer.start({ updates: { zone: "drill.test", keys: [key, KEY] } });
    const socket = createSocket("udp4");
    try {
      server.setRecord("api.drill.test", "127.0.2.1", 1000);
      await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
      socket.on("message", () => {});
      for (const packet of fc.sample(anyPacket, { numRuns: 500, seed: 7 })) {
        socket.send(packet, server.port, "127.0.0.1");
      }
      const ask = (packet: Buffer): Promise<DnsMessage> =>
        new Promise((resolve, reject) => {
          const timer = setInterval(() => socket.send(packet, server.port, "127.0.0.1"), 500);
          const done = setTimeout(() => finish(new Error("no answer within 10 s")), 10_000);
          const finish = (err?: Error, reply?: DnsMessage): void => {
            clearInterval(timer);
            clearTimeout(done);
            socket.off("message", onMessage);
            if (err) reject(err);
            else resolve(reply!);
          };
          const onMessage = (reply: Buffer): void => {
            try {
              const msg = decode(reply);
              if (msg.header.id === decodeHeader(packet).id) finish(undefined, msg);
            } catch {
              // an answer to a garbage packet
            }
          };
          socket.on("message", onMessage);
          socket.send(packet, server.port, "127.0.0.1");
        });
      const answer = await ask(Buffer.from(QUERY).fill(0x77, 0, 2));
      assert.equal(answer.answers.length, 1);
      const updated = await ask(signMessage(update(0x5151), key).packet);
      assert.equal(updated.header.rcode, 0);
    } finally {
      socket.close();
      await server.close();
    }
  });
});
