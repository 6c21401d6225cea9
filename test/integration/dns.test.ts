import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ManualClock } from "../../src/clock.ts";
import { CachingResolver, DnsLookupError, queryA, type DnsAnswer } from "../../src/dns/resolver.ts";
import { DnsServer, type DnsQueryEvent } from "../../src/dns/server.ts";
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
  type DnsMessage,
} from "../../src/dns/wire.ts";

const NAME = "api.drill.test";

/** A UDP socket on 127.0.0.1:0 that the test closes. */
async function udpSocket(): Promise<Socket> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return socket;
}

/** Sends one datagram and returns the first reply, or undefined if none arrives in `waitMs`. */
async function exchange(port: number, packet: Buffer, waitMs = 1000): Promise<Buffer | undefined> {
  const socket = await udpSocket();
  try {
    return await new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), waitMs);
      socket.once("message", (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      socket.send(packet, port, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}

function query(name: string, overrides: { id?: number; type?: number; opcode?: number } = {}): Buffer {
  return encode(
    message({
      header: { id: overrides.id ?? 0x4242, rd: true, opcode: overrides.opcode ?? Opcode.QUERY },
      questions: [{ name, type: overrides.type ?? RecordType.A, class: RecordClass.IN }],
    }),
  );
}

async function ask(port: number, packet: Buffer): Promise<DnsMessage> {
  const reply = await exchange(port, packet);
  assert.ok(reply, "the server did not reply");
  return decode(reply);
}

/** Deterministic bytes, so a failing fuzz case can be replayed. */
function pseudoRandomBytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

describe("embedded DNS server and resolver over real UDP", () => {
  let server: DnsServer;
  let events: DnsQueryEvent[];

  beforeEach(async () => {
    events = [];
    server = await DnsServer.start({ onQuery: (event) => events.push(event) });
  });

  afterEach(async () => {
    await server.close();
  });

  describe("DnsServer", () => {
    it("listens on an ephemeral loopback port by default", () => {
      assert.equal(server.host, "127.0.0.1");
      assert.ok(server.port > 0);
    });

    it("answers an A query authoritatively with the TTL rounded up to whole seconds", async () => {
      server.setRecord(NAME, "127.0.0.2", 1500);
      const reply = await ask(server.port, query(NAME, { id: 0x1234 }));
      assert.equal(reply.header.id, 0x1234);
      assert.equal(reply.header.qr, true);
      assert.equal(reply.header.aa, true);
      assert.equal(reply.header.rd, true);
      assert.equal(reply.header.ra, false);
      assert.equal(reply.header.rcode, Rcode.NOERROR);
      assert.deepEqual(reply.questions, [{ name: NAME, type: RecordType.A, class: RecordClass.IN }]);
      assert.equal(reply.answers.length, 1);
      const answer = reply.answers[0];
      assert.equal(answer?.name, NAME);
      assert.equal(answer?.ttl, 2);
      assert.equal(decodeIPv4(answer?.data ?? new Uint8Array()), "127.0.0.2");
      assert.deepEqual(events, [
        { name: NAME, type: RecordType.A, rcode: Rcode.NOERROR, address: "127.0.0.2" },
      ]);
    });

    it("sends a TTL of zero as zero", async () => {
      server.setRecord(NAME, "127.0.0.2", 0);
      const reply = await ask(server.port, query(NAME));
      assert.equal(reply.answers[0]?.ttl, 0);
    });

    it("matches names case-insensitively and tolerates a trailing dot", async () => {
      server.setRecord("API.drill.test.", "127.0.0.4", 1000);
      const reply = await ask(server.port, query("Api.DRILL.test."));
      assert.equal(reply.header.rcode, Rcode.NOERROR);
      // The owner name echoes the question as asked, which is what resolvers compare against.
      assert.equal(reply.answers[0]?.name, "Api.DRILL.test");
      assert.equal(decodeIPv4(reply.answers[0]?.data ?? new Uint8Array()), "127.0.0.4");
    });

    it("answers NXDOMAIN for a name it does not hold, and after the record is removed", async () => {
      const unknown = await ask(server.port, query("nope.drill.test"));
      assert.equal(unknown.header.rcode, Rcode.NXDOMAIN);
      assert.equal(unknown.answers.length, 0);

      server.setRecord(NAME, "127.0.0.2", 1000);
      server.removeRecord(`${NAME}.`);
      const removed = await ask(server.port, query(NAME));
      assert.equal(removed.header.rcode, Rcode.NXDOMAIN);
    });

    it("answers NOERROR with no answers for another type of a name it holds", async () => {
      server.setRecord(NAME, "127.0.0.2", 1000);
      const reply = await ask(server.port, query(NAME, { type: RecordType.AAAA }));
      assert.equal(reply.header.rcode, Rcode.NOERROR);
      assert.equal(reply.header.aa, true);
      assert.equal(reply.answers.length, 0);
    });

    it("answers NOTIMP to an opcode other than QUERY", async () => {
      server.setRecord(NAME, "127.0.0.2", 1000);
      const reply = await ask(server.port, query(NAME, { opcode: Opcode.UPDATE }));
      assert.equal(reply.header.rcode, Rcode.NOTIMP);
      assert.equal(reply.header.opcode, Opcode.UPDATE);
      assert.equal(reply.answers.length, 0);
    });

    it("answers FORMERR with the query's id when only the header can be read", async () => {
      const truncated = query(NAME, { id: 0x0bad }).subarray(0, 20);
      const reply = await exchange(server.port, truncated);
      assert.ok(reply, "expected a FORMERR reply");
      const decoded = decode(reply);
      assert.equal(decoded.header.id, 0x0bad);
      assert.equal(decoded.header.qr, true);
      assert.equal(decoded.header.rcode, Rcode.FORMERR);
    });

    it("drops packets too short for a header, and responses, without replying", async () => {
      assert.equal(await exchange(server.port, Buffer.from([1, 2, 3]), 300), undefined);
      const response = encode(message({ header: { qr: true }, answers: [aRecord(NAME, "127.0.0.9", 1)] }));
      assert.equal(await exchange(server.port, response, 300), undefined);
    });

    it("survives a burst of garbage packets and still answers afterwards", async () => {
      server.setRecord(NAME, "127.0.0.2", 1000);
      const sender = await udpSocket();
      try {
        for (let seed = 1; seed <= 300; seed++) {
          const garbage = pseudoRandomBytes(seed, seed % 80);
          // Half of them look like queries, so they get past the header checks into the decoder.
          if (seed % 2 === 0 && garbage.length > 3) garbage[2] = (garbage[2] ?? 0) & 0x07;
          await new Promise<void>((resolve) =>
            sender.send(garbage, server.port, "127.0.0.1", () => resolve()),
          );
          // Let the server read before the next send: a flood would overflow its receive buffer, and
          // the dropped datagrams would then never reach the decoder this test is about.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        sender.close();
      }
      const reply = await ask(server.port, query(NAME));
      assert.equal(reply.header.rcode, Rcode.NOERROR);
      assert.equal(decodeIPv4(reply.answers[0]?.data ?? new Uint8Array()), "127.0.0.2");
    });

    it("is resolvable by Node's own DNS resolver (c-ares)", async () => {
      server.setRecord(NAME, "127.0.0.7", 30_000);
      const resolver = new Resolver({ timeout: 2000, tries: 2 });
      resolver.setServers([`127.0.0.1:${server.port}`]);
      try {
        // Queried once only: c-ares keeps its own cache.
        const records = await resolver.resolve4(NAME, { ttl: true });
        assert.deepEqual(records, [{ address: "127.0.0.7", ttl: 30 }]);
      } finally {
        resolver.cancel();
      }
    });
  });

  describe("queryA", () => {
    it("returns the address and the TTL in milliseconds", async () => {
      server.setRecord(NAME, "127.0.0.2", 2500);
      assert.deepEqual(await queryA(server, NAME), { address: "127.0.0.2", ttlMs: 3000 });
    });

    it("rejects with ENOTFOUND for NXDOMAIN and for a name without an A record", async () => {
      await assert.rejects(queryA(server, "nope.drill.test"), { name: "DnsLookupError", code: "ENOTFOUND" });
    });

    it("times out with ETIMEOUT against a silent socket after sending every attempt", async () => {
      const silent = await udpSocket();
      let received = 0;
      silent.on("message", () => received++);
      try {
        const started = Date.now();
        await assert.rejects(
          queryA({ host: "127.0.0.1", port: (silent.address() as AddressInfo).port }, NAME, {
            timeoutMs: 150,
            attempts: 2,
          }),
          (err: unknown) => err instanceof DnsLookupError && err.code === "ETIMEOUT" && err.hostname === NAME,
        );
        assert.ok(Date.now() - started >= 250, "gave up before both attempts had timed out");
        assert.equal(received, 2);
      } finally {
        silent.close();
      }
    });

    it("ignores a reply with the wrong id and rejects one for a different question with EBADRESP", async () => {
      const fake = await udpSocket();
      fake.on("message", (packet, rinfo) => {
        const q = decode(packet);
        const reply = (id: number, name: string) =>
          encode(
            message({
              header: { id, qr: true, aa: true },
              questions: [{ name, type: RecordType.A, class: RecordClass.IN }],
              answers: [aRecord(name, "127.0.0.66", 5)],
            }),
          );
        const name = q.questions[0]?.name ?? "";
        // First a stray reply (wrong id) for the right name; it must not be taken as the answer.
        fake.send(reply((q.header.id + 1) & 0xffff, name), rinfo.port, rinfo.address);
        fake.send(
          reply(q.header.id, name === "good.drill.test" ? name : "evil.drill.test"),
          rinfo.port,
          rinfo.address,
        );
      });
      const target = { host: "127.0.0.1", port: (fake.address() as AddressInfo).port };
      try {
        assert.deepEqual(await queryA(target, "good.drill.test", { timeoutMs: 2000, attempts: 1 }), {
          address: "127.0.0.66",
          ttlMs: 5000,
        });
        await assert.rejects(queryA(target, "other.drill.test", { timeoutMs: 2000, attempts: 1 }), {
          code: "EBADRESP",
        });
      } finally {
        fake.close();
      }
    });

    it("rejects with ECANCELLED when aborted", async () => {
      const silent = await udpSocket();
      try {
        const abort = new AbortController();
        const pending = queryA({ host: "127.0.0.1", port: (silent.address() as AddressInfo).port }, NAME, {
          timeoutMs: 5000,
          signal: abort.signal,
        });
        setTimeout(() => abort.abort(), 20);
        await assert.rejects(pending, { code: "ECANCELLED" });
      } finally {
        silent.close();
      }
    });
  });

  describe("CachingResolver", () => {
    let clock: ManualClock;
    let lookups: Array<[string, DnsAnswer]>;
    let resolver: CachingResolver;

    beforeEach(() => {
      clock = new ManualClock();
      lookups = [];
      resolver = new CachingResolver({
        server,
        clock,
        timeoutMs: 2000,
        onLookup: (name, answer) => lookups.push([name, answer]),
      });
    });

    it("serves from cache until the TTL expires and sees an updated record only then", async () => {
      server.setRecord(NAME, "127.0.0.2", 5000);
      assert.deepEqual(await resolver.resolve(NAME), { address: "127.0.0.2", fromCache: false });

      server.setRecord(NAME, "127.0.0.3", 5000); // the failover
      clock.advanceMs(4999);
      assert.deepEqual(await resolver.resolve(NAME), { address: "127.0.0.2", fromCache: true });
      assert.deepEqual(await resolver.resolve(`${NAME.toUpperCase()}.`), {
        address: "127.0.0.2",
        fromCache: true,
      });

      clock.advanceMs(1);
      assert.deepEqual(await resolver.resolve(NAME), { address: "127.0.0.3", fromCache: false });
      assert.deepEqual(await resolver.resolve(NAME), { address: "127.0.0.3", fromCache: true });

      assert.deepEqual(lookups, [
        [NAME, { address: "127.0.0.2", ttlMs: 5000 }],
        [NAME, { address: "127.0.0.3", ttlMs: 5000 }],
      ]);
      assert.equal(events.length, 2, "the server should have seen exactly one query per lookup");
    });

    it("queries every time when the TTL is zero", async () => {
      server.setRecord(NAME, "127.0.0.2", 0);
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await resolver.resolve(NAME), { address: "127.0.0.2", fromCache: false });
      }
      assert.equal(lookups.length, 3);
      assert.equal(events.length, 3);
    });

    it("shares one query among concurrent resolves of the same expired name", async () => {
      server.setRecord(NAME, "127.0.0.2", 1000);
      const results = await Promise.all(Array.from({ length: 5 }, () => resolver.resolve(NAME)));
      assert.ok(results.every((r) => r.address === "127.0.0.2" && !r.fromCache));
      assert.equal(lookups.length, 1);
      assert.equal(events.length, 1);
    });

    it("does not cache a failure", async () => {
      await assert.rejects(resolver.resolve(NAME), { code: "ENOTFOUND" });
      server.setRecord(NAME, "127.0.0.2", 1000);
      assert.deepEqual(await resolver.resolve(NAME), { address: "127.0.0.2", fromCache: false });
    });

    it("provides a lookup callback in both the single-address and the all-addresses form", async () => {
      server.setRecord(NAME, "127.0.0.2", 1000);
      const call = (options: object) =>
        new Promise<unknown[]>((resolve) => resolver.lookup(NAME, options, (...args) => resolve(args)));
      assert.deepEqual(await call({ family: 4 }), [null, "127.0.0.2", 4]);
      assert.deepEqual(await call({ all: true }), [null, [{ address: "127.0.0.2", family: 4 }]]);
      const [v6err] = await call({ family: 6 });
      assert.equal((v6err as DnsLookupError).code, "ENOTFOUND");
      const [missing] = await new Promise<unknown[]>((resolve) =>
        resolver.lookup("nope.drill.test", {}, (...args) => resolve(args)),
      );
      assert.equal((missing as DnsLookupError).code, "ENOTFOUND");
    });

    it("lets an http.Agent reach a local HTTP server by its DNS name", async () => {
      const web = http.createServer((_req, res) => res.end("hello from the primary"));
      await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
      const agent = new http.Agent({ lookup: resolver.lookup });
      try {
        server.setRecord(NAME, "127.0.0.1", 1000);
        const { port } = web.address() as AddressInfo;
        const body = await new Promise<string>((resolve, reject) => {
          http
            .get(`http://${NAME}:${port}/`, { agent }, (res) => {
              let data = "";
              res.setEncoding("utf8");
              res.on("data", (chunk: string) => (data += chunk));
              res.on("end", () => resolve(data));
              res.on("error", reject);
            })
            .on("error", reject);
        });
        assert.equal(body, "hello from the primary");
        assert.deepEqual(lookups, [[NAME, { address: "127.0.0.1", ttlMs: 1000 }]]);
      } finally {
        agent.destroy();
        web.closeAllConnections();
        await new Promise<void>((resolve) => web.close(() => resolve()));
      }
    });

    it("makes an http request fail with ENOTFOUND when the name does not exist", async () => {
      const agent = new http.Agent({ lookup: resolver.lookup });
      try {
        const err = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
          http
            .get(`http://nope.drill.test:9/`, { agent }, () => reject(new Error("unexpected response")))
            .on("error", resolve);
        });
        assert.equal(err.code, "ENOTFOUND");
      } finally {
        agent.destroy();
      }
    });
  });
});
