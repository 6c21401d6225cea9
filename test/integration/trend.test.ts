// Two real runs of a short region outage into one trend store, the second with a slower health check,
// then `trend` and `compare`: the store lists both, the second's slower detection is a regression and
// --fail-on-regression exits 1. The runs also carry --notify (a real webhook on 127.0.0.1, then a dead
// port, which must not change the exit code) and $GITHUB_STEP_SUMMARY.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main.ts";
import { exitCodeForStatus } from "../../src/cli/exit-codes.ts";
import type { Summary } from "../../src/summary/types.ts";
import { readIndex } from "../../src/trend/store.ts";

/** drills/region-outage.yaml cut short: 20 clients for 20 s, the outage at 3 s, a 1 s TTL. */
const drill = (interval: string): string => `name: trend-outage
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
database: { engine: postgres, replication: async }
network: { interRegionLatency: 20ms }
controller:
  mode: automatic
  healthCheck: { interval: ${interval}, timeout: 900ms, failureThreshold: 2 }
dns: { name: api.drill.test, ttl: 1s }
workload:
  clients: 20
  rate: 40/s
  duration: 20s
  requestTimeout: 1s
  seed: 12
faults:
  - { at: 3s, type: region-outage, region: us-east }
recovery: { wait: 1s }
objectives:
  rto.max: "< 60s"
`;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("trend across real runs (integration)", function () {
  this.timeout(300_000);
  let tmp: string;
  let server: http.Server;
  const posts: unknown[] = [];
  let previousSummary: string | undefined;

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "drill-trend-"));
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        posts.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    previousSummary = process.env.GITHUB_STEP_SUMMARY;
    process.env.GITHUB_STEP_SUMMARY = path.join(tmp, "step-summary.md");
  });
  after(async () => {
    if (previousSummary === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = previousSummary;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(tmp, { recursive: true, force: true });
  });

  it("lists both runs, flags the slower second run and fails on it when asked", async () => {
    const out = path.join(tmp, "reports");
    const store = path.join(out, "trend-outage");
    await writeFile(path.join(tmp, "fast.yaml"), drill("1s"));
    await writeFile(path.join(tmp, "slow.yaml"), drill("5s"));
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const first = await cli(
      "run",
      path.join(tmp, "fast.yaml"),
      "--out",
      out,
      "--quiet",
      "--notify",
      hook,
      "--notify-on",
      "always",
    );
    assert.match(first.out, /trend: first run in .*index\.jsonl/);
    assert.match(first.out, /notified http:\/\/127\.0\.0\.1:\d+ \(HTTP 204\)/);
    assert.equal(posts.length, 1, first.err);
    assert.match((posts[0] as { text: string }).text, /^failover-drill trend-outage: /);

    // A dead port: the notification fails, the exit code is still the drill's.
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise((resolve) => dead.close(resolve));
    const second = await cli(
      "run",
      path.join(tmp, "slow.yaml"),
      "--out",
      out,
      "--quiet",
      "--notify",
      `http://127.0.0.1:${deadPort}/hook`,
      "--notify-on",
      "always",
    );
    assert.match(
      second.err,
      /warning: notification to http:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED; the drill's result stands/,
    );

    const index = await readIndex(store);
    assert.equal(index.entries.length, 2);
    const [a, b] = index.entries;
    const summaries = await Promise.all(
      index.entries.map(
        async (e) => JSON.parse(await readFile(path.join(store, e.run, "report.json"), "utf8")) as Summary,
      ),
    );
    assert.equal(first.code, exitCodeForStatus(summaries[0]!.status), first.err);
    assert.equal(
      second.code,
      exitCodeForStatus(summaries[1]!.status),
      "the failed POST left the exit code alone",
    );
    assert.notEqual(a?.drillDigest, b?.drillDigest, "the slower health check is a changed drill");
    assert.ok(
      a?.figures.detectionMs !== null && b?.figures.detectionMs !== null,
      `both detected: ${JSON.stringify(index.entries.map((e) => e.figures))}`,
    );
    assert.ok(
      b!.figures.detectionMs! > a!.figures.detectionMs! + 2000,
      "5 s checks detect clearly later than 1 s ones",
    );

    assert.match(second.out, /trend: \d+ regression\(s\) against .*index\.jsonl:\n\s+▲ detection/);
    const stepSummary = await readFile(path.join(tmp, "step-summary.md"), "utf8");
    assert.equal(
      stepSummary.match(/^### .* failover-drill trend-outage: /gm)?.length,
      2,
      "one summary per run",
    );
    assert.match(stepSummary, /First run in its trend store/);
    assert.match(stepSummary, /\*\*Regressions\*\* against the trend store:\n\n- ▲ detection/);

    const trend = await cli("trend", store);
    assert.equal(trend.code, 0, trend.err);
    assert.match(trend.out, new RegExp(`^${a!.run} `, "m"));
    assert.match(trend.out, new RegExp(`^${b!.run} `, "m"));
    assert.match(trend.out, /▲ detection [\d.]+ s, was [\d.]+ (s|ms) in the previous run/);
    assert.match(trend.out, /\(changed\)/);
    assert.match(await readFile(path.join(store, "trend.html"), "utf8"), /<circle class="dot regressed"/);
    assert.equal((await cli("trend", store, "--fail-on-regression")).code, 1);

    const compare = await cli("compare", path.join(store, a!.run), path.join(store, b!.run));
    assert.equal(compare.code, 0, compare.err);
    assert.match(compare.out, /controller\.healthCheck\.intervalMs: 1000 -> 5000/);
    assert.match(compare.out, /^detection\s+\S+ m?s\s+\S+ s\s+\+[\d.]+ s .*worse ▲$/m);
  });
});
