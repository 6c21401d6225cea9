// Hostile requests against the embedded Toxiproxy API on 127.0.0.1 (issue 13, item 6): random
// methods, paths, user agents and bodies get one of Toxiproxy's status codes, and the server keeps
// serving. Differences from the Go binary found by scripts/toxiproxy-api-diff.ts: docs/security.md.
import assert from "node:assert/strict";
import net from "node:net";
import fc from "fast-check";
import { ToxiproxyServer } from "../../src/toxiproxy/server.ts";
import { apiRequest, send, type ApiRequest } from "../helpers/toxiproxy-requests.ts";

/** What Toxiproxy 2.12 answers (500 only for a listener that cannot open, which these never ask for). */
const TOXIPROXY_STATUSES = [200, 201, 204, 301, 400, 403, 404, 405, 409];
const KNOWN_METHODS = ["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"];

const request = (method: string, path: string, body?: unknown): ApiRequest => ({
  method,
  path,
  userAgent: "toxiproxy-cli",
  body: body === undefined ? undefined : JSON.stringify(body),
});

describe("the embedded Toxiproxy API under random requests", function () {
  this.timeout(60_000);
  let server: ToxiproxyServer;

  beforeEach(async () => {
    server = await ToxiproxyServer.start();
    const created = await send(
      server.url,
      request("POST", "/proxies", { name: "p", listen: "127.0.0.1:0", upstream: "127.0.0.1:1" }),
    );
    assert.equal(created.status, 201);
    const toxic = { name: "t", type: "latency", attributes: { latency: 10 } };
    assert.equal((await send(server.url, request("POST", "/proxies/p/toxics", toxic))).status, 200);
  });
  afterEach(() => server.close());

  const stillServes = async (): Promise<void> => {
    const version = await send(server.url, request("GET", "/version"));
    assert.equal(version.status, 200);
  };

  it("answers every request with one of Toxiproxy's status codes and a JSON error, and keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(apiRequest, async (req) => {
        const answer = await send(server.url, req);
        assert.ok(TOXIPROXY_STATUSES.includes(answer.status), `${answer.status} ${answer.body}`);
        // Node's HTTP parser refuses methods it does not know (BREW) with a bare 400 before routing.
        const routed = KNOWN_METHODS.includes(req.method) && req.method !== "HEAD";
        if (routed && answer.status >= 400) {
          const body = JSON.parse(answer.body) as { error: string; status: number };
          assert.equal(body.status, answer.status);
          assert.doesNotMatch(body.error, /TypeError|undefined|Cannot read|is not a function/);
        }
        await stillServes();
      }),
      { numRuns: 150, seed: 13 },
    );
    // And still does the real job afterwards.
    const fresh = { name: "after-fuzz", listen: "127.0.0.1:0", upstream: "127.0.0.1:1" };
    assert.equal((await send(server.url, request("POST", "/proxies", fresh))).status, 201);
    const toxic = { type: "latency", attributes: { latency: 100 } };
    assert.equal((await send(server.url, request("POST", "/proxies/after-fuzz/toxics", toxic))).status, 200);
    assert.equal((await send(server.url, request("DELETE", "/proxies/after-fuzz"))).status, 204);
  });

  // Found by the property above (or by comparing with toxiproxy-server 2.12.0): each once a crash or a 500.
  it("redirects PUT // to / with 301 as Toxiproxy's router does, where it answered 500 Invalid URL", async () => {
    const answer = await send(server.url, request("PUT", "//"));
    assert.equal(answer.status, 301);
    await stillServes();
  });

  it("redirects an unclean path with a newline in it without crashing on the Location header", async () => {
    const answer = await send(server.url, request("GET", "/x/../%0A%C3%A9"));
    assert.equal(answer.status, 301);
    await stillServes();
  });

  it("routes the decoded path like Toxiproxy: /proxies/ and /proxies/p%2Fq are no route (404)", async () => {
    assert.equal((await send(server.url, request("PUT", "/proxies/"))).status, 404);
    assert.equal((await send(server.url, request("GET", "/proxies/p%2Fq"))).status, 404);
    assert.equal((await send(server.url, request("GET", "/proxies/%70"))).status, 200);
  });

  it("holds a timeout toxic longer than Node's 24.8-day timer limit instead of closing at once", async () => {
    const upstream = net.createServer((socket) => socket.on("error", () => {}));
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    try {
      const port = (upstream.address() as net.AddressInfo).port;
      const spec = { name: "long", listen: "127.0.0.1:0", upstream: `127.0.0.1:${port}` };
      const created = await send(server.url, request("POST", "/proxies", spec));
      const listen = (JSON.parse(created.body) as { listen: string }).listen;
      const toxic = { type: "timeout", attributes: { timeout: 2 ** 31 + 1000 } };
      assert.equal((await send(server.url, request("POST", "/proxies/long/toxics", toxic))).status, 200);
      const client = net.connect(Number(listen.split(":").at(-1)), "127.0.0.1");
      client.on("error", () => {});
      let closed = false;
      client.on("close", () => (closed = true));
      client.write("hello");
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(closed, false, "the connection was closed at once (the timer overflowed)");
      client.destroy();
    } finally {
      upstream.close();
    }
  });

  it("answers a path with broken percent-encoding with 400, as Go's net/http does", async () => {
    assert.equal((await send(server.url, request("GET", "/proxies/%ZZ"))).status, 400);
    await stillServes();
  });
});
