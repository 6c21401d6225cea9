// Secrets beyond report.json (issue 13, item 7): matrix.json/matrix.md, suite.json and a hook's
// recorded output never carry an app.env value or a connection password, and cell directories are
// not named after one. Literal secrets, searched for in everything written.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ManualClock } from "../../src/clock.ts";
import {
  drillSecrets,
  isSecretPath,
  redactDrill,
  redactOverrides,
  REDACTED,
} from "../../src/drill/redact.ts";
import { parseDrill } from "../../src/drill/load.ts";
import { HistoryRecorder } from "../../src/history/recorder.ts";
import { runRecordedHook } from "../../src/hooks/recorded.ts";
import { parseMatrix, planMatrix } from "../../src/matrix/load.ts";
import { buildMatrixReport, renderMatrixJson, renderMatrixMarkdown } from "../../src/matrix/report.ts";
import { pendingEntry } from "../../src/suite/result.ts";

const TOKEN = "tok-Zq81-secret";
const PASSWORD = "pw-Kx77-secret";
const BASE = readFileSync("drills/region-outage.yaml", "utf8").replace(
  /^regions:/m,
  `app:\n  env:\n    API_TOKEN: ${TOKEN}\nregions:`,
);

describe("secrets in matrix, suite and hook outputs", () => {
  it("knows which override paths set the app's environment", () => {
    assert.ok(isSecretPath("app.env") && isSecretPath("app.env.TOKEN") && isSecretPath('app.env["X-KEY"]'));
    assert.ok(!isSecretPath("app.envoy") && !isSecretPath("database.replication"));
    assert.deepEqual(
      redactOverrides({
        "app.env.TOKEN": TOKEN,
        "app.env": { A: TOKEN },
        "external.database": `postgres://u:${PASSWORD}@db/x`,
        "database.replication": "sync",
      }),
      {
        "app.env.TOKEN": REDACTED,
        "app.env": { A: REDACTED },
        "external.database": `postgres://u:${REDACTED}@db/x`,
        "database.replication": "sync",
      },
    );
  });

  it("keeps an app.env parameter's values and a URL password out of matrix.json, matrix.md and cell slugs", () => {
    const matrix = parseMatrix(
      `name: m\nbase: region-outage.yaml\nparameters:\n  app.env.API_TOKEN: [${TOKEN}, ${TOKEN}-2]\n` +
        `  description: ["see postgres://u:${PASSWORD}@db/x", plain]\n`,
      "drills/m.yaml",
    );
    const plan = planMatrix(matrix, BASE);
    // The cells still run with the real values.
    assert.equal(plan.cells[0]?.assignments["app.env.API_TOKEN"], TOKEN);
    const report = buildMatrixReport(plan, {
      startedAt: "2026-01-01T00:00:00Z",
      durationMs: 0,
      interrupted: false,
      runs: [],
    });
    const written = [
      renderMatrixJson(report),
      renderMatrixMarkdown(report),
      ...plan.cells.map((c) => c.slug),
    ].join("\n");
    assert.ok(!written.includes(TOKEN), written);
    assert.ok(!written.includes(PASSWORD), written);
    assert.ok(written.includes(REDACTED));
  });

  it("keeps suite set: values for app.env and URL passwords out of suite.json", () => {
    const entry = {
      kind: "drill" as const,
      name: "e",
      path: "drills/region-outage.yaml",
      overrides: [
        { path: "app.env.API_TOKEN", value: TOKEN },
        { path: "description", value: `postgres://u:${PASSWORD}@db/x` },
      ],
    };
    const result = JSON.stringify(pendingEntry(entry as unknown as Parameters<typeof pendingEntry>[0], 1));
    assert.ok(!result.includes(TOKEN) && !result.includes(PASSWORD), result);
  });

  it("redacts an app.env value where the drill repeats it, e.g. in the app's arguments", () => {
    const drill = parseDrill(
      BASE.replace(
        `API_TOKEN: ${TOKEN}`,
        `API_TOKEN: ${TOKEN}\n  command: [node, app.js, --token, ${TOKEN}]`,
      ),
      "drills/x.yaml",
    );
    const shown = JSON.stringify(redactDrill(drill));
    assert.ok(!shown.includes(TOKEN), shown);
    assert.match(shown, /"--token","\[redacted\]"/);
  });

  it("records a hook that echoes the app's token and a database password with both redacted", async () => {
    const drill = parseDrill(BASE.replace("name: region-outage", "name: secret-hooks"), "drills/x.yaml");
    const secrets = drillSecrets(drill);
    assert.ok(secrets.includes(TOKEN));
    const history = new HistoryRecorder(new ManualClock());
    const result = await runRecordedHook({
      history,
      process: "controller",
      topology: { drill: drill.name, cwd: ".", workspace: ".", regions: [], secrets },
      call: {
        hook: "status",
        command: `echo token=${TOKEN} url=postgres://app:${PASSWORD}@db/app; echo ${TOKEN} >&2; exit 3`,
        timeoutMs: 10_000,
      },
    });
    const recorded = JSON.stringify(history.ops) + JSON.stringify(result);
    assert.ok(!recorded.includes(TOKEN), recorded);
    assert.ok(!recorded.includes(PASSWORD), recorded);
    assert.match(recorded, /token=\[redacted\] url=postgres:\/\/app:\[redacted\]@db\/app/);
  });
});
