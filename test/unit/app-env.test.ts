// The environment and {{NAME}} templating every app gets, on both platforms.
import assert from "node:assert/strict";
import { APP_TEMPLATE_VARIABLES } from "../../src/drill/load.ts";
import { engineFor } from "../../src/engines/registry.ts";
import { appEnvironment, renderTemplate, type DatabaseEndpoint } from "../../src/platform/app-env.ts";

/** A database address with the URL the postgres engine gives it, as the topologies build it. */
const postgresAt = (host: string, port: number): DatabaseEndpoint => ({
  host,
  port,
  url: engineFor("postgres").clientUrl({ host, port }),
});

describe("app environment templating", () => {
  it("fills every {{NAME}} of an env value from the region's database endpoint", () => {
    const env = appEnvironment("east", { host: "0.0.0.0", port: 3000 }, postgresAt("toxiproxy", 20001), {
      ORDERS_DB: "{{DATABASE_URL}}?application_name=orders-{{ REGION }}",
      LISTEN_PORT: "{{PORT}}",
    });
    assert.equal(env.ORDERS_DB, "postgres://postgres@toxiproxy:20001/postgres?application_name=orders-east");
    assert.equal(env.LISTEN_PORT, "3000");
    assert.equal(env.DATABASE_URL, "postgres://postgres@toxiproxy:20001/postgres");
    assert.equal(env.HOST, "0.0.0.0");
  });

  it("refuses a template variable it does not know instead of leaving it empty", () => {
    assert.throws(() => renderTemplate("{{DATABSE_URL}}", { DATABASE_URL: "x" }), {
      name: "AppTemplateError",
      message: /DATABSE_URL/,
    });
  });

  it("offers every name the drill loader accepts, HOST included", () => {
    const env = appEnvironment("west", { host: "127.0.2.1", port: 4000 }, postgresAt("db", 5432), {
      LISTEN: "{{HOST}}:{{PORT}}",
    });
    assert.equal(env.LISTEN, "127.0.2.1:4000");
    assert.deepEqual(
      Object.keys(appEnvironment("w", { host: "h", port: 1 }, postgresAt("d", 2))).sort(),
      [...APP_TEMPLATE_VARIABLES].sort(),
    );
  });
});
