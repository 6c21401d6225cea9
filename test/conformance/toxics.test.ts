// Conformance of the data path with Toxiproxy 2.12 (toxics/*_test.go, link.go): pass-through, each
// toxic's timing and effect within Toxiproxy's tolerances (+SLACK_MS late on a loaded machine), no
// data lost while toxics come and go under load, and how connections close. Runs against the
// embedded server, or TOXIPROXY_URL when set.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { performance } from "node:perf_hooks";
import {
  assertDuration,
  countingPattern,
  EXTERNAL_URL,
  Reader,
  roundTrip,
  Session,
  sleep,
  startTarget,
  type Target,
  waitFor,
} from "./harness.ts";

describe(`Toxiproxy toxics conformance (${EXTERNAL_URL || "embedded server"})`, function () {
  this.timeout(20_000);
  let target: Target;
  let s: Session;

  before(async () => {
    target = await startTarget();
  });
  after(async () => {
    await target.close();
  });
  beforeEach(() => {
    s = new Session(target.url);
  });
  afterEach(async () => {
    await s.close();
  });

  describe("pass-through", () => {
    it("passes a small message, an 8 MiB message and a message in two parts unchanged", async () => {
      const echo = await s.echo();
      const { port } = await s.proxy("pass", echo.port);
      const reader = await s.reader(port);
      await roundTrip(reader, Buffer.from("hello world\n"));
      await roundTrip(reader, randomBytes(8 * 1024 * 1024));
      reader.socket.write("hello ");
      await sleep(20);
      reader.socket.write("world\n");
      assert.equal((await reader.read(12)).toString(), "hello world\n");
    });

    it("closes the client connection at once when the upstream is down", async () => {
      const gone = net.createServer();
      const deadPort = await s.listen(gone);
      await new Promise((resolve) => gone.close(resolve));
      const { port } = await s.proxy("dead", deadPort);
      const reader = await s.reader(port);
      reader.socket.write("anyone?");
      await reader.waitClosed(2_000);
      assert.equal(reader.received, 0);
    });

    it("closes the whole connection when the client half-closes, so no reply comes back", async () => {
      // An upstream that answers only once the client has finished sending.
      const upstream = net.createServer({ allowHalfOpen: true }, (socket) => {
        s.track(socket);
        socket.on("error", () => {});
        const chunks: Buffer[] = [];
        socket.on("data", (c: Buffer) => chunks.push(c));
        socket.on("end", () => socket.end(Buffer.concat(chunks).reverse()));
      });
      const { port } = await s.proxy("half", await s.listen(upstream));
      const client = s.track(net.connect({ host: "127.0.0.1", port, allowHalfOpen: true }));
      const reader = new Reader(client);
      await new Promise<void>((resolve) => client.once("connect", resolve));
      client.end("abc");
      await reader.until(() => reader.ended || reader.closed, "the proxy to close the client side");
      assert.equal(reader.received, 0, "Toxiproxy closes both sides; the late reply is lost");
    });

    it("delivers what the upstream sent before it closed, then closes the client", async () => {
      const upstream = net.createServer((socket) => {
        s.track(socket);
        socket.end("goodbye");
      });
      const { port } = await s.proxy("bye", await s.listen(upstream));
      const reader = await s.reader(port);
      await reader.until(() => reader.ended, "the end of the stream");
      assert.equal(reader.peek().toString(), "goodbye");
    });
  });

  describe("latency", () => {
    const message = Buffer.from(`hello world ${"a".repeat(32 * 1024)}\n`);

    for (const [label, up, down] of [
      ["upstream", 100, 0],
      ["downstream", 0, 100],
      ["both streams", 100, 100],
      ["both streams, biased", 300, 100],
    ] as const) {
      it(`adds its latency on ${label} (${up} ms up, ${down} ms down)`, async () => {
        const echo = await s.echo();
        const { name, port } = await s.proxy("lat", echo.port);
        if (up > 0)
          await s.toxic(name, {
            name: "up",
            type: "latency",
            stream: "upstream",
            attributes: { latency: up },
          });
        if (down > 0) await s.toxic(name, { name: "down", type: "latency", attributes: { latency: down } });
        const reader = await s.reader(port);
        // Two rounds, as Toxiproxy's test: the delay does not accumulate.
        for (let round = 1; round <= 2; round++) {
          assertDuration(`round ${round}`, await roundTrip(reader, message), up + down, 20);
        }
      });
    }

    it("adds up two latency toxics on one stream", async () => {
      const echo = await s.echo();
      const { name, port } = await s.proxy("two", echo.port);
      await s.toxic(name, { name: "l0", type: "latency", stream: "upstream", attributes: { latency: 150 } });
      await s.toxic(name, { name: "l1", type: "latency", stream: "upstream", attributes: { latency: 150 } });
      const reader = await s.reader(port);
      assertDuration("two latency toxics", await roundTrip(reader, message), 300, 10);
    });

    it("keeps every delay within latency +- jitter", async () => {
      const echo = await s.echo();
      const { name, port } = await s.proxy("jitter", echo.port);
      await s.toxic(name, { type: "latency", attributes: { latency: 80, jitter: 40 } });
      const reader = await s.reader(port);
      const times: number[] = [];
      for (let i = 0; i < 8; i++) times.push(await roundTrip(reader, Buffer.from("j")));
      for (const t of times) assertDuration("jittered round trip", t, 80, 40);
    });

    it("keeps throughput: chunks are delayed from when each was read, not one after another", async () => {
      const { port: upstreamPort, readers } = await s.recorder();
      const { name, port } = await s.proxy("bw", upstreamPort);
      const client = await s.reader(port);
      await waitFor(() => readers.length === 1, "the upstream connection");
      const upstream = readers[0]!.socket;
      // The upstream writes as fast as the proxy reads, as in Toxiproxy's TestLatencyToxicBandwidth.
      const payload = Buffer.from("hello world ".repeat(1000));
      let writing = true;
      const pump = (): void => {
        while (writing && !upstream.destroyed && upstream.write(payload));
      };
      upstream.on("drain", pump);
      pump();
      await s.toxic(name, { type: "latency", attributes: { latency: 100 } });
      await sleep(150);
      await client.read(client.received); // what passed before the toxic
      const started = performance.now();
      const count = 100 * payload.length;
      await client.read(count);
      const elapsed = performance.now() - started;
      writing = false;
      // Toxiproxy: at least 100 MB/s, i.e. count / 100000 ms.
      assertDuration(`reading ${count} bytes through 100 ms latency`, elapsed, 0, count / 100_000);
    });

    it("delivers what it held at once, in order, when removed", async () => {
      const echo = await s.echo();
      const { name, port } = await s.proxy("flush", echo.port);
      await s.toxic(name, {
        name: "slow",
        type: "latency",
        stream: "upstream",
        attributes: { latency: 5_000 },
      });
      const reader = await s.reader(port);
      const pattern = countingPattern(256 * 1024);
      reader.socket.write(pattern);
      await sleep(50);
      assert.equal(reader.received, 0, "held by the toxic");
      const started = performance.now();
      await s.removeToxic(name, "slow");
      const echoed = await reader.read(pattern.length);
      assert.ok(performance.now() - started < 1_000, "released when removed, not after 5 s");
      assert.ok(echoed.equals(pattern), "delivered complete and in order");
    });
  });

  describe("other toxics", () => {
    it("bandwidth limits a stream to rate KB/s", async () => {
      const { port: upstreamPort, readers } = await s.recorder();
      const { name, port } = await s.proxy("rate", upstreamPort);
      const client = await s.connect(port);
      await waitFor(() => readers.length === 1, "the upstream connection");
      await s.toxic(name, { type: "bandwidth", stream: "upstream", attributes: { rate: 1000 } });
      const payload = Buffer.from("hello world ".repeat(40_000)); // 480 KB at 1000 KB/s: 480 ms
      const started = performance.now();
      client.write(payload);
      const received = await readers[0]!.read(payload.length);
      assertDuration("480 KB at 1000 KB/s", performance.now() - started, 480, 10);
      assert.ok(received.equals(payload));
    });

    it("slow_close delays the close by delay ms and lets data through", async () => {
      const upstream = net.createServer((socket) => {
        s.track(socket);
        socket.on("data", () => socket.end("bye"));
      });
      const { name, port } = await s.proxy("slowclose", await s.listen(upstream));
      await s.toxic(name, { type: "slow_close", attributes: { delay: 300 } });
      const reader = await s.reader(port);
      const started = performance.now();
      reader.socket.write("x");
      await reader.until(() => reader.received === 3, "the reply");
      await reader.until(() => reader.ended || reader.closed, "the close");
      assert.equal(reader.peek().toString(), "bye");
      assertDuration("close delayed by slow_close", performance.now() - started, 300, 10);
    });

    it("timeout drops data and closes both sides after timeout ms", async () => {
      const { port: upstreamPort, readers } = await s.recorder();
      const { name, port } = await s.proxy("timeout", upstreamPort);
      const reader = await s.reader(port);
      await waitFor(() => readers.length === 1, "the upstream connection");
      await s.toxic(name, { type: "timeout", stream: "upstream", attributes: { timeout: 300 } });
      const started = performance.now();
      reader.socket.write("dropped");
      await reader.until(() => reader.ended || reader.closed, "the close");
      assertDuration("closed by timeout", performance.now() - started, 300, 10);
      await readers[0]!.until(() => readers[0]!.ended || readers[0]!.closed, "the upstream side to close");
      assert.equal(readers[0]!.received, 0, "the data was dropped");
    });

    it("timeout 0 holds the connection open, drops data, and closes it when removed", async () => {
      const { port: upstreamPort, readers } = await s.recorder();
      const { name, port } = await s.proxy("stall", upstreamPort);
      const reader = await s.reader(port);
      await waitFor(() => readers.length === 1, "the upstream connection");
      await s.toxic(name, {
        name: "to_delete",
        type: "timeout",
        stream: "upstream",
        attributes: { timeout: 0 },
      });
      reader.socket.write("dropped");
      await sleep(300);
      assert.equal(reader.closed || reader.ended, false, "still open");
      assert.equal(readers[0]!.received, 0);
      await s.removeToxic(name, "to_delete");
      await reader.until(() => reader.ended, "EOF on the client side", 1_000);
      await readers[0]!.until(() => readers[0]!.ended, "EOF on the upstream side", 1_000);
    });

    for (const [stream, timeout] of [
      ["upstream", 100],
      ["downstream", 100],
      ["upstream", 0],
    ] as const) {
      it(`reset_peer resets the connection ${timeout} ms after data on ${stream}`, async () => {
        const upstream = net.createServer((socket) => {
          s.track(socket);
          socket.on("error", () => {});
          socket.on("data", (data: Buffer) => socket.write(data));
        });
        const { name, port } = await s.proxy("reset", await s.listen(upstream));
        await s.toxic(name, { type: "reset_peer", stream, attributes: { timeout } });
        const reader = await s.reader(port);
        const started = performance.now();
        reader.socket.write("reset toxic payload\n");
        await reader.until(() => reader.closed, "the reset");
        assert.equal(reader.error?.code, "ECONNRESET");
        assertDuration("reset after timeout", performance.now() - started, timeout, 10);
      });
    }

    it("slicer cuts data into pieces of about average_size, delay microseconds apart", async () => {
      const { port: upstreamPort, readers } = await s.recorder();
      const { name, port } = await s.proxy("slicer", upstreamPort);
      const client = await s.connect(port);
      await waitFor(() => readers.length === 1, "the upstream connection");
      await s.toxic(name, {
        type: "slicer",
        stream: "upstream",
        attributes: { average_size: 100, size_variation: 20, delay: 20_000 },
      });
      const payload = randomBytes(1_000);
      const started = performance.now();
      client.write(payload);
      const received = await readers[0]!.read(payload.length);
      const elapsed = performance.now() - started;
      assert.ok(received.equals(payload), "complete and in order");
      // About 10 pieces, 20 ms apart: at least 8 gaps however the pieces are cut.
      assert.ok(elapsed >= 8 * 20 - 5, `took ${elapsed.toFixed(1)} ms`);
      assert.ok(readers[0]!.reads >= 4, `arrived in ${readers[0]!.reads} reads`);
    });

    it("limit_data passes exactly bytes on its stream, then closes the connection", async () => {
      const { port: upstreamPort, readers } = await s.recorder();
      const { name, port } = await s.proxy("limit", upstreamPort);
      await s.toxic(name, { type: "limit_data", stream: "upstream", attributes: { bytes: 100 } });
      const reader = await s.reader(port);
      const payload = randomBytes(150);
      reader.socket.write(payload.subarray(0, 90));
      await waitFor(() => readers[0]?.received === 90, "the first 90 bytes");
      reader.socket.write(payload.subarray(90));
      await readers[0]!.until(() => readers[0]!.ended, "the upstream side to close");
      assert.ok(readers[0]!.peek().equals(payload.subarray(0, 100)), "exactly the first 100 bytes");
      await reader.until(() => reader.ended || reader.closed, "the client side to close");
    });

    it("applies a toxic to a connection with the probability given by its toxicity", async () => {
      const echo = await s.echo();
      const { name, port } = await s.proxy("toxicity", echo.port);
      await s.toxic(name, { name: "never", type: "latency", toxicity: 0, attributes: { latency: 1_000 } });
      await s.toxic(name, { name: "half", type: "latency", toxicity: 0.5, attributes: { latency: 300 } });
      // Each connection rolls for itself: of 20, some get the 300 ms toxic and some do not.
      const times = await Promise.all(
        Array.from({ length: 20 }, async () => roundTrip(await s.reader(port), Buffer.from("t"))),
      );
      const slow = times.filter((t) => t >= 295).length;
      assert.ok(
        slow > 0 && slow < 20,
        `slow connections: ${slow} of 20 (${times.map((t) => t.toFixed(0)).join(", ")})`,
      );
      assert.ok(
        times.every((t) => t < 1_000),
        "toxicity 0 never applies",
      );
    });
  });

  describe("toxics coming and going under load", () => {
    it("loses and reorders nothing while toxics are added, updated and removed on a busy connection", async () => {
      const echo = await s.echo();
      const { name, port } = await s.proxy("churn", echo.port);
      const reader = await s.reader(port);
      const pattern = countingPattern(32 * 1024 * 1024);
      const rounds = 6;
      let churning = true;
      const churn = (async () => {
        for (let round = 0; round < rounds; round++) {
          const stream = round % 2 === 0 ? "upstream" : "downstream";
          await s.toxic(name, {
            name: "lat",
            type: "latency",
            stream,
            attributes: { latency: 20, jitter: 5 },
          });
          await s.toxic(name, { name: "noop", type: "noop", stream });
          await s.toxic(name, { name: "bw", type: "bandwidth", stream, attributes: { rate: 50_000 } });
          await s.toxic(name, {
            name: "slices",
            type: "slicer",
            stream,
            attributes: { average_size: 4096, size_variation: 1024, delay: 0 },
          });
          await sleep(15);
          await s.api("PATCH", `/proxies/${name}/toxics/lat`, { attributes: { latency: 5 } });
          for (const toxic of ["noop", "lat", "slices", "bw"]) await s.removeToxic(name, toxic);
          await sleep(5);
        }
        churning = false;
      })();
      // Keeps sending, paced, for as long as the toxics churn, so every change lands on data in flight.
      let sent = 0;
      const block = 64 * 1024;
      while (churning && sent < pattern.length) {
        if (!reader.socket.write(pattern.subarray(sent, sent + block))) {
          await new Promise((resolve) => reader.socket.once("drain", resolve));
        }
        sent += block;
        if (sent % (4 * block) === 0) await sleep(1);
      }
      await churn;
      const echoed = await reader.read(sent, 60_000);
      const firstDifference = echoed.findIndex((byte, i) => byte !== pattern[i]);
      assert.equal(firstDifference, -1, `the stream differs from byte ${firstDifference} of ${sent}`);
    });

    it("keeps echoing while noop toxics flap on both streams (Toxiproxy's TestToxicAddRemove)", async () => {
      const echo = await s.echo();
      const { name, port } = await s.proxy("flap", echo.port);
      const reader = await s.reader(port);
      let running = true;
      const flapper = (async () => {
        let enabled = false;
        while (running) {
          if (enabled) {
            await s.toxic(name, { name: "noop_up", type: "noop", stream: "upstream" });
            await s.api("DELETE", `/proxies/${name}/toxics/noop_down`);
          } else {
            await s.api("DELETE", `/proxies/${name}/toxics/noop_up`);
            await s.toxic(name, { name: "noop_down", type: "noop", stream: "downstream" });
          }
          enabled = !enabled;
        }
      })();
      for (let i = 0; i < 100; i++) await roundTrip(reader, Buffer.from(`hello world ${i}\n`));
      running = false;
      await flapper;
    });
  });
});
