// The engine registry and what the postgres engine says without a server: positions, URLs, aliases.
import assert from "node:assert/strict";
import { engineFor, engineNames, positionsFor, type EngineName } from "../../src/engines/registry.ts";

describe("database engine registry", () => {
  it("maps drill.database.engine to the engine of that name", () => {
    assert.deepEqual(engineNames(), ["postgres"]);
    for (const name of engineNames()) assert.equal(engineFor(name).name, name);
  });

  it("refuses an engine it does not know, naming the ones it does", () => {
    assert.throws(() => engineFor("mysql" as EngineName), {
      name: "UnknownEngineError",
      message: 'unknown database engine "mysql" (known: postgres)',
    });
  });
});

describe("postgres engine without a server", () => {
  const engine = engineFor("postgres");
  const positions = positionsFor("postgres");

  it("orders WAL positions by their 64-bit value, not as text", () => {
    assert.equal(positions.compare("9/FFFFFFFF", "10/0"), -1);
    assert.equal(positions.compare("0/3000148", "0/3000148"), 0);
    assert.throws(() => positions.compare("not an LSN", "0/0"), { name: "LsnError" });
  });

  it("measures the distance between positions in bytes, and none for text that is no position", () => {
    assert.equal(positions.diff("1/0", "0/FFFFFFFF"), 1);
    assert.equal(positions.diff("0/0", "0/100"), -256);
    assert.equal(positions.diff(" 0/10\n", "0/0"), 16);
    assert.equal(positions.diff("garbage", "0/0"), undefined);
    assert.equal(positions.diff("0/0", ""), undefined);
  });

  it("gives apps a postgres:// URL for the address they reach their database on", () => {
    assert.equal(
      engine.clientUrl({ host: "toxiproxy", port: 20001 }),
      "postgres://postgres@toxiproxy:20001/postgres",
    );
  });

  it("names each region's database container db-<region> on the server's own port", () => {
    assert.deepEqual(engine.containerAddress("eu-west"), { host: "db-eu-west", port: 5432 });
  });
});
