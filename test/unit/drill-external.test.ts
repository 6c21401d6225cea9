// The hooks manager and platform external in a drill file: what is read, what is refused (each problem
// naming file, line, field and what is expected), and what such a drill needs installed.
import assert from "node:assert/strict";
import { DrillValidationError, formatProblem, loadDrill, parseDrill } from "../../src/drill/load.ts";
import { MissingComponentsError, missingRequirements } from "../../src/platform/requirements.ts";
import { drillRequirements } from "../../src/runner/requirements.ts";

const REGIONS = `name: staging
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
`;
const EXTERNAL = `external:
  toxiproxy: http://127.0.0.1:8474/
  regions:
    - { name: us-east, endpoint: "10.0.1.5:8080", database: "postgres://drill@db1/app", proxies: { client: api-east } }
    - name: eu-west
      endpoint: http://10.0.2.5:8080
      database: postgres://drill@db2/app
      proxies: { replication: { us-east: wal-west } }
`;
const HOOKS = "controller: { manager: hooks, hooks: { status: psql -c x, promote: sh promote.sh } }\n";

function problems(text: string): string[] {
  try {
    parseDrill(text, "staging.yaml");
  } catch (err) {
    if (err instanceof DrillValidationError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

describe("a drill against an existing environment through hooks", () => {
  it("reads the environment and the hooks, with clients holding every regional endpoint", () => {
    const drill = parseDrill(`${REGIONS}platform: external\n${EXTERNAL}${HOOKS}`, "staging.yaml");
    assert.equal(drill.external?.toxiproxy, "http://127.0.0.1:8474");
    assert.deepEqual(drill.external?.regions[1]?.endpoint, { host: "10.0.2.5", port: 8080 });
    assert.deepEqual(drill.controller.hooks, {
      status: "psql -c x",
      promote: "sh promote.sh",
      timeoutMs: 30_000,
    });
    assert.equal(drill.controller.mode, "client");
  });

  it("refuses what the drill cannot do to someone else's environment, naming each field", () => {
    const text =
      `${REGIONS}platform: external\n${EXTERNAL}` +
      "network: { interRegionLatency: 20ms }\n" +
      "database: { settings: { work_mem: 4MB } }\n" +
      "faults: [{ at: 1s, type: region-outage, region: us-east }]\n";
    assert.deepEqual(problems(text), [
      "staging.yaml:5:11 platform: platform external needs controller.manager hooks or external, not builtin: " +
        "the drill does not promote databases it did not start",
      "staging.yaml:14:10 network: does not apply to platform external: the latency between your regions is " +
        "your network's",
      "staging.yaml:15:23 database.settings: does not apply to platform external: the drill starts no database there",
      "staging.yaml:16:10 faults[0]: mode defaults to kill; on platform external a region outage cuts your " +
        "proxies (mode: network); to kill processes add a fault of type hook",
    ]);
  });

  it("asks for the external section, every region in it, and one endpoint port", () => {
    assert.deepEqual(problems(`${REGIONS}platform: external\n${HOOKS}`), [
      "staging.yaml:5:11 platform: platform external needs the external section: your regions' endpoints, " +
        "databases and proxies",
    ]);
    const oneRegion = EXTERNAL.split("\n").slice(0, 4).join("\n").replace("8080", "8081");
    assert.deepEqual(problems(`${REGIONS}platform: external\n${oneRegion}\n${HOOKS}`), [
      "staging.yaml:9:5 external.regions: missing eu-west: expected an entry for every region",
    ]);
    const ports = EXTERNAL.replace("http://10.0.2.5:8080", "http://10.0.2.5:9090");
    assert.match(
      problems(`${REGIONS}platform: external\n${ports}${HOOKS}`).join("\n"),
      /external\.regions\[1\]\.endpoint: expected port 8080/,
    );
  });

  it("asks the hooks manager for its commands and refuses a builtin mode next to it", () => {
    assert.deepEqual(problems(`${REGIONS}controller: { manager: hooks }\n`), [
      "staging.yaml:5:24 controller.manager: manager hooks needs controller.hooks with at least a status command",
    ]);
    assert.deepEqual(
      problems(`${REGIONS}controller: { manager: hooks, mode: dns, hooks: { status: x } }\n`),
      [
        "staging.yaml:5:37 controller.mode: only applies to the builtin manager (manager is hooks); remove it",
      ],
    );
  });

  it("stops a drill whose hook names a program that is not installed, saying to install it", () => {
    const drill = parseDrill(
      `${REGIONS}controller: { manager: hooks, hooks: { status: no-such-status-tool --json } }\n` +
        "faults: [{ at: 1s, type: hook, inject: sh kill.sh }]\n",
      "staging.yaml",
    );
    const missing = missingRequirements(drillRequirements(drill));
    assert.deepEqual(
      missing.map((r) => r.command),
      ["no-such-status-tool"],
    );
    assert.match(
      new MissingComponentsError(drill.name, missing).message,
      /needs no-such-status-tool \(controller\.hooks\.status\), not installed; install with: install no-such-status-tool$/,
    );
  });

  it("accepts the template drill and needs nothing beyond sh for it", async () => {
    const drill = await loadDrill("drills/hooks-external.yaml");
    assert.deepEqual(
      drillRequirements(drill).map((r) => r.command),
      ["sh", "sh", "sh"],
    );
  });
});
