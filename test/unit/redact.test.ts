// What reports may not repeat: app.env values and passwords, redacted from the drill a report embeds.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder } from "../../src/checkers/history-builder.ts";
import { parseDrill } from "../../src/drill/load.ts";
import { REDACTED, redactDrill, redactSecretsInText } from "../../src/drill/redact.ts";

const DRILL = `name: secrets
regions:
  - { name: east, role: primary }
  - { name: west, role: standby }
app:
  command: [node, app.js, --dsn, "postgres://app:s3cret@db.internal:5432/app"]
  env:
    API_KEY: abc123
    DATABASE_URL: "{{DATABASE_URL}}"
`;

describe("secrets in reports", () => {
  it("replaces the password of a connection URL and of a libpq conninfo, and nothing else", () => {
    assert.equal(
      redactSecretsInText("postgres://app:s3cret@db:5432/app?sslmode=require"),
      `postgres://app:${REDACTED}@db:5432/app?sslmode=require`,
    );
    assert.equal(
      redactSecretsInText("host=db user=app password='p w' dbname=app"),
      `host=db user=app password=${REDACTED} dbname=app`,
    );
    assert.equal(redactSecretsInText("postgres://app@db:5432/app"), "postgres://app@db:5432/app");
    assert.equal(redactSecretsInText("http://127.0.0.1:8474"), "http://127.0.0.1:8474");
  });

  it("keeps every app.env key but none of its values, and redacts passwords anywhere in the drill", () => {
    const drill = parseDrill(DRILL, "secrets.yaml");
    const shown = redactDrill(drill);
    assert.deepEqual(shown.app.env, { API_KEY: REDACTED, DATABASE_URL: REDACTED });
    assert.deepEqual(shown.app.command?.slice(2), [
      "--dsn",
      `postgres://app:${REDACTED}@db.internal:5432/app`,
    ]);
    assert.deepEqual(redactDrill(shown), shown, "idempotent, so check reproduces report.json");
    assert.equal(drill.app.env["API_KEY"], "abc123", "the drill that runs keeps its values");
  });

  it("puts only the redacted drill into a summary", () => {
    const drill = parseDrill(DRILL, "secrets.yaml");
    const summary = analyze({
      drill,
      history: new HistoryBuilder().build(),
      finalReads: [],
      startedAt: "2026-11-29T00:00:00.000Z",
    });
    const json = JSON.stringify(summary);
    assert.ok(!json.includes("abc123") && !json.includes("s3cret"), "no secret in report.json");
    assert.ok(json.includes('"API_KEY"'));
  });
});
