import assert from "node:assert/strict";
import { parseMultiHostUrl } from "../../fixtures/app/multi-host.ts";

describe("the reference app's multi-host URLs", () => {
  it("reads every host, the user, the database and target_session_attrs", () => {
    assert.deepEqual(
      parseMultiHostUrl(
        "postgres://postgres@127.0.1.1:5001,127.0.2.1:5002/orders?target_session_attrs=read-write",
      ),
      {
        hosts: [
          { host: "127.0.1.1", port: 5001 },
          { host: "127.0.2.1", port: 5002 },
        ],
        user: "postgres",
        database: "orders",
        targetSessionAttrs: "read-write",
      },
    );
  });

  it("leaves a single-host URL to node-postgres", () => {
    assert.equal(parseMultiHostUrl("postgres://postgres@127.0.1.1:5001/postgres"), null);
  });

  it("defaults the port, the database and the session attributes as libpq does", () => {
    assert.deepEqual(parseMultiHostUrl("postgresql://app@a,b"), {
      hosts: [
        { host: "a", port: 5432 },
        { host: "b", port: 5432 },
      ],
      user: "app",
      database: "postgres",
      targetSessionAttrs: "any",
    });
  });

  it("refuses session attributes it cannot honour", () => {
    assert.throws(
      () => parseMultiHostUrl("postgres://u@a:1,b:2/db?target_session_attrs=read-only"),
      /read-only is not supported/,
    );
  });
});
