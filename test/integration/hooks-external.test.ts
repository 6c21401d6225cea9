// A hooks drill against an environment the test starts outside the drill (fixtures/external: two
// PostgreSQL nodes, two reference apps, a Toxiproxy of its own with a proxy per link): the drill cuts
// the environment's own proxies around us-east, the example hooks (drills/hooks/*.sh) fence us-east
// and promote eu-west, and the drill measures it all as it measures a local drill. Afterwards the
// environment's proxies are as they were and its processes still run; the test stops them.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startExternalEnvironment, type ExternalEnvironment } from "../../fixtures/external/environment.ts";
import type { Summary } from "../../src/checkers/types.ts";
import { loadDrill } from "../../src/drill/load.ts";
import { parseHistory } from "../../src/history/recorder.ts";
import { Events, type Op } from "../../src/history/types.ts";
import { runDrill } from "../../src/runner/runner.ts";
import { ProxyControl } from "../../src/toxiproxy/client.ts";

const HOOKS = path.resolve("drills/hooks");
const INTERVAL_MS = 1500;
const THRESHOLD = 2;

function drillYaml(env: ExternalEnvironment, marker: string): string {
  const regions = env.regions.map((r) =>
    [
      `    - name: ${r.name}`,
      `      endpoint: "${r.endpoint}"`,
      `      database: ${r.databaseUrl}`,
      `      proxies: ${JSON.stringify(r.proxies)}`,
    ].join("\n"),
  );
  return `name: hooks-external-test
platform: external
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
external:
  toxiproxy: ${env.toxiproxyUrl}
  regions:
${regions.join("\n")}
controller:
  manager: hooks
  healthCheck: { interval: ${INTERVAL_MS}ms, timeout: ${INTERVAL_MS - 100}ms, failureThreshold: ${THRESHOLD} }
  hooks:
    status: sh ${HOOKS}/status.sh
    fence: sh ${HOOKS}/fence.sh
    promote: sh ${HOOKS}/promote.sh
workload: { clients: 8, rate: 50/s, duration: 16s, requestTimeout: 1s }
faults:
  - { at: 4s, type: region-outage, region: us-east, mode: network }
  - at: 4s
    type: hook
    region: us-east
    inject: echo "inject $FAILOVER_DRILL_FAULT $FAILOVER_DRILL_FAULT_REGION" >> ${marker}
    heal: echo heal >> ${marker}
recovery: { wait: 2s }
objectives: { rpo.lostWrites: "<= 500" }
`;
}

describe("a hooks drill against an environment started outside the drill (integration)", function () {
  this.timeout(240_000);
  let env: ExternalEnvironment;
  let dir: string;
  let summary: Summary;
  let history: Op[];
  let processesBefore: ReturnType<ExternalEnvironment["processes"]>;
  let marker: string;

  before(async () => {
    env = await startExternalEnvironment();
    dir = await mkdtemp(path.join(os.tmpdir(), "hooks-external-"));
    marker = path.join(dir, "fault-hooks.log");
    const file = path.join(dir, "drill.yaml");
    await writeFile(file, drillYaml(env, marker));
    processesBefore = env.processes();
    const run = await runDrill(await loadDrill(file), { out: path.join(dir, "reports") });
    summary = run.summary;
    history = parseHistory(await readFile(path.join(run.reportDir, "history.jsonl"), "utf8"));
  });
  after(async () => {
    await env?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("measures detection and promotion from the hooks manager's events, within the polling's bounds", () => {
    const { detection, promotion } = summary.measurements;
    assert.ok(detection.ms !== null && promotion.ms !== null, JSON.stringify({ detection, promotion }));
    assert.ok(detection.ms >= (THRESHOLD - 1) * INTERVAL_MS - 200, `detection ${detection.ms}`);
    assert.ok(detection.ms <= THRESHOLD * INTERVAL_MS + INTERVAL_MS, `detection ${detection.ms}`);
    assert.equal(promotion.basis, undefined, "promotion comes from the manager's writable event");
    const writable = history.find((op) => op.f === Events.writable);
    assert.deepEqual(writable?.value, { region: "eu-west", pollMs: INTERVAL_MS });
  });

  it("measures client RTO and counts lost writes from the final read of the environment's databases", () => {
    const { rto, rpo, detection, promotion } = summary.measurements;
    assert.equal(summary.status, "pass", summary.notes.join("\n"));
    assert.ok(rto.maxMs !== null && rto.p50Ms !== null, JSON.stringify(rto));
    assert.equal(rto.clientsNotRecovered, 0);
    // Clients recover on eu-west, which takes writes only once promoted.
    assert.ok(rto.p50Ms >= detection.ms!, `rto p50 ${rto.p50Ms}, detection ${detection.ms}`);
    assert.ok(rto.maxMs <= detection.ms! + promotion.ms! + 3000, `rto max ${rto.maxMs}`);
    assert.equal(rpo.survivingPrimary, "eu-west");
    assert.ok(rpo.ackedWrites > 100, `acked ${rpo.ackedWrites}`);
    assert.ok(rpo.lostWrites !== null && rpo.lostWrites <= 500, `lost ${rpo.lostWrites}`);
  });

  it("records every hook with its exit code, duration and output, and gives each its environment", async () => {
    const hooks = history
      .filter((op) => op.f === Events.hook)
      .map((op): Record<string, unknown> => ({
        process: op.process,
        ...(op.value as Record<string, unknown>),
      }));
    const ran = (hook: string) => hooks.filter((h) => h.hook === hook);
    assert.ok(ran("status").length >= THRESHOLD + 1);
    assert.ok(ran("status").every((h) => typeof h.durationMs === "number" && "exitCode" in h));
    assert.deepEqual(
      ran("promote").map((h) => [h.process, h.ok, h.exitCode, h.candidate, h.stdout]),
      [["controller", true, 0, "eu-west", "eu-west promoted\n"]],
    );
    assert.deepEqual(
      ran("fence").map((h) => [h.ok, h.failedRegion]),
      [[true, "us-east"]],
    );
    assert.deepEqual(
      [...ran("inject"), ...ran("heal")].map((h) => [h.process, h.ok]),
      [
        ["nemesis", true],
        ["nemesis", true],
      ],
    );
    assert.equal(await readFile(marker, "utf8"), "inject 1 us-east\nheal\n");
  });

  it("leaves the environment's proxies enabled and without the drill's toxics", async () => {
    const proxies = await new ProxyControl(env.toxiproxyUrl).list();
    assert.equal(proxies.length, 5);
    assert.deepEqual(
      proxies.filter((p) => !p.enabled || p.toxics.length > 0).map((p) => p.name),
      [],
    );
  });

  it("leaves every process of the environment running: the drill stops nothing it did not start", () => {
    assert.deepEqual(env.processes(), processesBefore);
    assert.ok(processesBefore.every((p) => p.running));
  });
});
