// Conformance of what happens to bytes in flight (held by a latency toxic) when a link is cut, with
// Toxiproxy 2.12 (proxy.go stop(), link.go, toxics/latency.go). Measured against the real 2.12.0
// binary: disabling or deleting a proxy closes both sockets of every connection at once, so what a
// latency toxic still holds is never delivered; when one side of a connection closes or resets, the
// other direction's held bytes are still delivered after their latency and only then is the other
// side closed. A region outage relies on the first (docs/toxiproxy.md, "Bytes in flight").
// Runs against the embedded server, or TOXIPROXY_URL when set.
import assert from "node:assert/strict";
import net from "node:net";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { EXTERNAL_URL, Reader, Session, sleep, startTarget, type Target } from "./harness.ts";

/** Long enough that "at once" and "after the latency" cannot be confused on a loaded machine. */
const LATENCY_MS = 400;
/** A close "at once" comes well before the held bytes would have been due. */
const AT_ONCE_MS = LATENCY_MS / 2;
/** Toxiproxy's own tolerance on a latency (latency_test.go). */
const DELTA_MS = 10;
const PART = 1000;

type Stream = "upstream" | "downstream";

/** One proxied connection with a latency toxic on `stream`: who sends, who receives, and both readers. */
interface Pipe {
  name: string;
  sender: Reader;
  receiver: Reader;
}

describe(`Toxiproxy bytes-in-flight conformance (${EXTERNAL_URL || "embedded server"})`, function () {
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

  async function pipe(stream: Stream): Promise<Pipe> {
    const accepted: Socket[] = [];
    const upstream = net.createServer({ noDelay: true }, (socket) => {
      accepted.push(s.track(socket));
    });
    const { name, port } = await s.proxy(`inflight-${stream}`, await s.listen(upstream));
    await s.toxic(name, { type: "latency", stream, attributes: { latency: LATENCY_MS } });
    const client = new Reader(await s.connect(port));
    const deadline = performance.now() + 5_000;
    while (accepted.length === 0 && performance.now() < deadline) await sleep(5);
    assert.equal(accepted.length, 1, "the proxy dialled the upstream");
    const server = new Reader(accepted[0]!);
    return stream === "upstream"
      ? { name, sender: client, receiver: server }
      : { name, sender: server, receiver: client };
  }

  /**
   * Part A goes through (the receiver gets it after the latency), then part B is written and held;
   * returns when B was written, 50 ms before the caller cuts.
   */
  async function holdSecondPart(p: Pipe): Promise<number> {
    p.sender.socket.write(Buffer.alloc(PART, 1));
    await p.receiver.until(() => p.receiver.received >= PART, "part A after the latency", 5_000);
    p.sender.socket.write(Buffer.alloc(PART, 2));
    const written = performance.now();
    await sleep(50);
    return written;
  }

  /** Asserts a FIN (no error) between `from` and `from + withinMs`. */
  function assertFin(who: string, reader: Reader, from: number, withinMs: number): void {
    assert.equal(reader.error, undefined, `${who} got ${reader.error?.code} instead of a FIN`);
    assert.ok(reader.ended && reader.at.end !== undefined, `${who} got no FIN`);
    const after = reader.at.end - from;
    assert.ok(after <= withinMs, `${who}'s FIN came ${after.toFixed(0)} ms after, expected <= ${withinMs}`);
  }

  const cuts = {
    disabled: (p: Pipe) => s.api("PATCH", `/proxies/${p.name}`, { enabled: false }),
    deleted: (p: Pipe) => s.api("DELETE", `/proxies/${p.name}`),
  };

  for (const stream of ["upstream", "downstream"] as const) {
    for (const [how, cut] of Object.entries(cuts)) {
      it(`drops what a latency toxic holds on ${stream} when the proxy is ${how}, closing both sides with FIN at once`, async () => {
        const p = await pipe(stream);
        const written = await holdSecondPart(p);
        const cutAt = performance.now();
        const reply = await cut(p);
        assert.ok(reply.status === 200 || reply.status === 204, reply.text);
        await p.receiver.waitClosed(2_000);
        await p.sender.waitClosed(2_000);
        // Past the moment part B was due: had it been kept anywhere, it would be here by now.
        await sleep(Math.max(0, written + LATENCY_MS + 100 - performance.now()));
        assert.equal(p.receiver.received, PART, "only part A arrived; the held part B was dropped");
        assertFin("the receiver", p.receiver, cutAt, AT_ONCE_MS);
        assertFin("the sender", p.sender, cutAt, AT_ONCE_MS);
      });
    }

    for (const close of ["FIN", "RST"] as const) {
      it(`still delivers what a latency toxic holds on ${stream} after the sender's ${close}, then closes the receiver with FIN`, async () => {
        const p = await pipe(stream);
        const written = await holdSecondPart(p);
        if (close === "FIN") p.sender.socket.end();
        else p.sender.socket.resetAndDestroy();
        await p.receiver.waitClosed(5_000);
        assert.equal(p.receiver.received, 2 * PART, "part B arrived too");
        const dueIn = p.receiver.at.data! - written;
        assert.ok(dueIn >= LATENCY_MS - DELTA_MS, `part B came ${dueIn.toFixed(0)} ms after it was written`);
        assertFin("the receiver", p.receiver, written, LATENCY_MS + 1_000);
        assert.ok(p.receiver.at.end! >= p.receiver.at.data!, "the FIN came after the data");
        if (close === "FIN") {
          // The sender's side is closed only once the held bytes were delivered.
          await p.sender.waitClosed(2_000);
          assert.ok(p.sender.at.end! - written >= LATENCY_MS - DELTA_MS, "the sender was closed early");
        }
      });
    }

    it(`still delivers what a latency toxic holds on ${stream} to a receiver that half-closed, and closes the sender at once`, async () => {
      const p = await pipe(stream);
      const written = await holdSecondPart(p);
      const closedAt = performance.now();
      p.receiver.socket.end();
      await p.sender.waitClosed(2_000);
      assertFin("the sender", p.sender, closedAt, AT_ONCE_MS);
      await p.receiver.waitClosed(5_000);
      assert.equal(p.receiver.received, 2 * PART, "part B arrived after the receiver's FIN");
      assert.ok(p.receiver.at.data! - written >= LATENCY_MS - DELTA_MS, "part B came early");
    });

    it(`closes the sender at once with FIN when the receiver resets while a latency toxic holds bytes on ${stream}`, async () => {
      const p = await pipe(stream);
      await holdSecondPart(p);
      const resetAt = performance.now();
      p.receiver.socket.resetAndDestroy();
      await p.sender.waitClosed(2_000);
      assertFin("the sender", p.sender, resetAt, AT_ONCE_MS);
    });
  }
});
