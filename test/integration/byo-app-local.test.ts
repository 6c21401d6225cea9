// "Bring your own app" on the local platform: every region runs the drill's `app.command` (here
// fixtures/byo-app/server.ts, which shares no env name, path or status code with the reference app)
// with its templated environment, and a drill drives it only through healthPath and writePath.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppSpec } from "../../src/drill/types.ts";
import { parseHistory } from "../../src/history/recorder.ts";
import { startRegionApp } from "../../src/platform/app.ts";
import { freePort, regionAddress } from "../../src/platform/ports.ts";
import { ProcessSupervisor } from "../../src/platform/processes.ts";
import { Workspace } from "../../src/platform/workspace.ts";
import { runDrill } from "../../src/runner/runner.ts";
import { LocalTopology } from "../../src/topology/local.ts";
import { TopologyStartError } from "../../src/topology/topology.ts";
import { postgresNode } from "./helpers.ts";
import { shortOutageDrill } from "./short-drill.ts";

const DRILLS_DIR = fileURLToPath(new URL("../../drills/", import.meta.url));

/** As drills/byo-app.yaml has it: the command runs from the drill file's directory. */
const BYO_APP: AppSpec = {
  command: ["node", "--import", "tsx", "../fixtures/byo-app/server.ts"],
  workingDir: DRILLS_DIR,
  port: 3000,
  healthPath: "/ready/primary",
  writePath: "/api/orders/{{id}}",
  env: {
    ORDERS_DB: "{{DATABASE_URL}}",
    LISTEN_HOST: "{{HOST}}",
    LISTEN_PORT: "{{PORT}}",
    ORDERS_REGION: "{{REGION}}",
  },
};

function call(method: string, url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent: false, timeout: 5000 }, (response) => {
      let data = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (data += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(data) as Record<string, unknown> }),
      );
    });
    request.once("timeout", () => request.destroy(new Error(`${method} ${url} timed out`)));
    request.once("error", reject);
    request.end();
  });
}

describe("bring your own app on the local platform (integration)", function () {
  this.timeout(90_000);

  describe("a topology running the byo app", () => {
    let topology: LocalTopology | undefined;
    const url = (region: string, pathname: string): string => {
      const r = topology!.regionLayout(region);
      return `http://${r.address}:${r.appPort}${pathname}`;
    };

    before(async () => {
      topology = await LocalTopology.start(shortOutageDrill("byo-topology", "kill", BYO_APP));
    });
    after(async () => {
      await topology?.dispose();
    });

    it("answers its own health path with 200 only in the region whose database takes writes", async () => {
      assert.equal((await call("GET", url("us-east", "/ready/primary"))).status, 200);
      assert.equal((await call("GET", url("eu-west", "/ready/primary"))).status, 503);
      // The reference app's paths are not there: this really is another app.
      assert.equal((await call("GET", url("us-east", "/health"))).status, 404);
    });

    it("writes through its region's app-db proxy with the environment templated per region", async () => {
      const written = await call("POST", url("us-east", "/api/orders/17"));
      assert.deepEqual([written.status, written.body], [201, { order: 17, region: "us-east" }]);
      const rows = await postgresNode(topology!.node("us-east")).query(
        "SELECT region FROM writes WHERE id = 17",
      );
      assert.deepEqual(rows, [{ region: "us-east" }]);
      // ORDERS_DB came from {{DATABASE_URL}}: the app-db proxy, so cutting that link cuts the app off.
      await topology!.proxies.disable("us-east.app-db", "test");
      try {
        assert.equal((await call("POST", url("us-east", "/api/orders/18"))).status, 500);
      } finally {
        await topology!.proxies.enable("us-east.app-db", "test");
      }
      assert.equal((await call("POST", url("us-east", "/api/orders/18"))).status, 201);
      const log = await readFile(path.join(topology!.workspaceDir, "us-east", "app.log"), "utf8");
      const address = topology!.regionLayout("us-east").address;
      assert.match(log, new RegExp(`orders app \\(us-east\\) on ${address.replaceAll(".", "\\.")}:`));
    });
  });

  it("refuses an app whose environment names a template variable that does not exist", async () => {
    const app: AppSpec = { ...BYO_APP, env: { ...BYO_APP.env, ORDERS_DB: "{{DATABASE_NAME}}" } };
    await assert.rejects(LocalTopology.start(shortOutageDrill("byo-bad-template", "kill", app)), (err) => {
      assert.ok(err instanceof TopologyStartError);
      assert.match(err.message, /DATABASE_NAME/);
      return true;
    });
  });

  it("reports an app that exits during start with its exit code and its log", async () => {
    const workspace = await Workspace.create("byo-exit");
    const supervisor = new ProcessSupervisor();
    try {
      const host = regionAddress(0);
      const start = startRegionApp({
        supervisor,
        workspace,
        region: "us-east",
        host,
        port: await freePort(host),
        database: { host, port: 1, url: `postgres://postgres@${host}:1/postgres` },
        app: { ...BYO_APP, command: ["node", "-e", "console.error('no config'); process.exit(3)"] },
      });
      await assert.rejects(start, { name: "AppStartError", message: /exited during start \(code 3,/ });
      assert.match(await readFile(workspace.path("us-east", "app.log"), "utf8"), /no config/);
    } finally {
      await supervisor.stopAll();
      await workspace.remove();
    }
  });

  describe("a drill with the byo app", () => {
    let out: string;
    before(async () => {
      out = await mkdtemp(path.join(os.tmpdir(), "drill-byo-"));
    });
    after(async () => {
      await rm(out, { recursive: true, force: true });
    });

    it("fails over and counts lost writes from the writes the byo app acknowledged", async () => {
      const drill = shortOutageDrill("byo-app-local", "kill", BYO_APP);
      const { summary, reportDir } = await runDrill(drill, { out });
      const { promotion, rto, rpo } = summary.measurements;
      console.log(
        `      figures: byo app, kill: detection ${summary.measurements.detection.ms} ms, promotion ${promotion.ms} ms, rto max ${rto.maxMs} ms, lost ${rpo.lostWrites}/${rpo.ackedWrites}`,
      );
      assert.ok(promotion.ms !== null, "eu-west was promoted");
      assert.ok(rto.maxMs !== null, "clients were served by eu-west's byo app");
      assert.equal(rpo.survivingPrimary, "eu-west");
      assert.equal(typeof rpo.lostWrites, "number");
      // Acknowledged means a 2xx from the byo app (201), attributed to the region it named.
      const history = parseHistory(await readFile(path.join(reportDir, "history.jsonl"), "utf8"));
      const acked = history.filter((op) => op.f === "write" && op.type === "ok");
      assert.equal(rpo.ackedWrites, acked.length);
      assert.ok(acked.length > 500, `${acked.length} acknowledged writes`);
      const regions = new Set(acked.map((op) => (op.value as { region?: string }).region));
      assert.deepEqual([...regions].sort(), ["eu-west", "us-east"]);
      const survivor = summary.nodes.find((n) => n.node === "eu-west");
      assert.ok(survivor !== undefined && survivor.count >= acked.length - (rpo.lostWrites ?? 0));
    });
  });
});
