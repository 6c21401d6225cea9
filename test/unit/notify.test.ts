// Notifications against real HTTP servers on 127.0.0.1 (answering, failing, silent, and a dead
// port), what the payload says, and when a run is notified.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { notify, notifyUrlProblem, shouldNotify } from "../../src/notify/notify.ts";
import { runNotification } from "../../src/notify/payload.ts";
import { assessLatest } from "../../src/trend/regressions.ts";
import { indexEntry } from "../../src/trend/index-format.ts";
import { outageSummary } from "./golden-outage.ts";

interface Received {
  method: string;
  path: string;
  contentType: string;
  body: string;
}

/** A webhook on 127.0.0.1 that records each request and answers with `status` (or never, for null). */
async function webhook(
  status: number | null,
): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        path: req.url ?? "",
        contentType: req.headers["content-type"] ?? "",
        body,
      });
      if (status !== null) res.writeHead(status).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on: bound, noted, closed. */
async function deadPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const summary = outageSummary({
  name: "notify-drill",
  objectives: [{ metric: "rto.max", operator: "<", limit: 1000, source: "< 1s" }],
});

describe("notify", () => {
  it("POSTs the payload as JSON to a webhook and reports its status", async () => {
    const hook = await webhook(200);
    try {
      const result = await notify(hook.url, { text: "hello", n: 1 });
      assert.deepEqual(result, { ok: true, status: 200 });
      assert.equal(hook.received.length, 1);
      const [r] = hook.received;
      assert.equal(r?.method, "POST");
      assert.equal(r?.path, "/hook");
      assert.equal(r?.contentType, "application/json");
      assert.deepEqual(JSON.parse(r?.body ?? ""), { text: "hello", n: 1 });
    } finally {
      await hook.close();
    }
  });

  it("reports a webhook's error status without throwing", async () => {
    const hook = await webhook(500);
    try {
      assert.deepEqual(await notify(hook.url, { text: "x" }), { ok: false, status: 500, error: "HTTP 500" });
    } finally {
      await hook.close();
    }
  });

  it("reports a refused connection (a dead port) without throwing", async () => {
    const result = await notify(`http://127.0.0.1:${await deadPort()}/hook`, { text: "x" });
    assert.equal(result.ok, false);
    assert.equal(result.error, "ECONNREFUSED");
  });

  it("gives up on a webhook that never answers after its timeout", async () => {
    const hook = await webhook(null);
    try {
      const result = await notify(hook.url, { text: "x" }, { timeoutMs: 300 });
      assert.equal(result.ok, false);
      assert.match(result.error ?? "", /no answer within 300 ms/);
    } finally {
      await hook.close();
    }
  });

  it("accepts only http and https URLs", async () => {
    assert.equal(notifyUrlProblem("https://hooks.example.test/services/T/B/x"), null);
    assert.match(
      notifyUrlProblem("hooks.example.test") ?? "",
      /--notify must be an http:\/\/ or https:\/\/ URL/,
    );
    assert.match(notifyUrlProblem("ftp://127.0.0.1/x") ?? "", /got ftp:/);
    assert.deepEqual((await notify("not a url", {})).ok, false);
  });

  it("notifies failures by default, regressions too when asked, and every run with always", () => {
    const pass = { failed: false, regressed: false };
    const regressed = { failed: false, regressed: true };
    const failed = { failed: true, regressed: false };
    assert.deepEqual(
      [pass, regressed, failed].map((o) => shouldNotify("failure", o)),
      [false, false, true],
    );
    assert.deepEqual(
      [pass, regressed, failed].map((o) => shouldNotify("regression", o)),
      [false, true, true],
    );
    assert.deepEqual(
      [pass, regressed, failed].map((o) => shouldNotify("always", o)),
      [true, true, true],
    );
  });

  it("says in one Slack `text` the drill, status, missed objectives, figures, regressions and reports", () => {
    const earlier = { ...indexEntry(summary, "run-1"), startedAt: "2025-12-01T00:00:00.000Z" };
    earlier.figures = { ...earlier.figures, rtoMaxMs: 100 };
    const assessment = assessLatest([earlier, indexEntry(summary, "run-2")]);
    const payload = runNotification({
      drill: "notify-drill",
      exitCode: 1,
      summary,
      reportDir: "reports/notify-drill/run-2",
      assessment,
    });
    assert.equal(payload.kind, "run");
    assert.equal(payload.status, summary.status);
    assert.match(payload.text, /^failover-drill notify-drill: FAIL \(exit 1\)\./);
    assert.match(payload.text, /Missed: rto\.max < 1s\./);
    assert.match(payload.text, /RTO max [\d.]+ s/);
    assert.match(payload.text, /Regressions: RTO max [\d.]+ s, was 100 ms in the previous run/);
    assert.match(payload.text, /Reports: reports\/notify-drill\/run-2$/);
    assert.equal(payload.figures?.rtoMaxMs, summary.measurements.rto.maxMs);
    assert.deepEqual(JSON.parse(JSON.stringify(payload)), payload, "plain JSON");
  });

  it("says why a run that produced no report failed", () => {
    const payload = runNotification({
      drill: "d",
      exitCode: 4,
      error: "topology failed to start: port in use",
    });
    assert.equal(payload.status, "error");
    assert.equal(payload.figures, null);
    assert.equal(payload.text, "failover-drill d: ERROR (exit 4). topology failed to start: port in use");
  });
});
