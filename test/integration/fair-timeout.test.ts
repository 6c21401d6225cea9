import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { probeHealth } from "../../src/platform/http-probe.ts";

// The HTTP server runs on its own event loop (a worker thread), so its answer reaches our socket while
// our loop is blocked, as a database's or an app's answer does when the runner itself is starved.
const SERVER = `
const http = require("node:http");
const { parentPort } = require("node:worker_threads");
const server = http.createServer((req, res) => {
  if (req.url === "/silent") return; // never answers
  res.end("ok");
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: a saturated runner
  }
}

describe("timeouts on a stalled event loop", function () {
  this.timeout(20_000);
  let worker: Worker;
  let port: number;

  before(async () => {
    worker = new Worker(SERVER, { eval: true });
    port = await new Promise<number>((resolve) => worker.once("message", resolve));
  });

  after(async () => {
    await worker.terminate();
  });

  it("a probe whose answer arrived during a stall longer than its timeout counts as healthy", async () => {
    const probe = probeHealth("127.0.0.1", port, 300, "/health");
    blockEventLoop(800);
    assert.deepEqual(await probe, { healthy: true });
  });

  it("a probe that gets no answer still times out", async () => {
    const started = performance.now();
    const result = await probeHealth("127.0.0.1", port, 200, "/silent");
    assert.deepEqual(result, { healthy: false, error: "timeout after 200ms" });
    assert.ok(performance.now() - started >= 190);
  });

  it("a probe of a closed port fails at once with the connection error", async () => {
    const result = await probeHealth("127.0.0.1", 1, 200, "/health");
    assert.deepEqual(result, { healthy: false, error: "ECONNREFUSED" });
  });
});
