import assert from "node:assert/strict";
import { classifyWrite, combineAttempts } from "../../src/workload/outcome.ts";

describe("classifyWrite", () => {
  it("records a 200 response as ok", () => {
    assert.equal(classifyWrite({ status: 200, body: { id: 1, region: "us-east" } }), "ok");
  });

  it("records a refusal the app marks as not applied as fail", () => {
    assert.equal(classifyWrite({ status: 503, body: { applied: false, error: "read-only" } }), "fail");
  });

  it("records a server error with an unknown outcome as info", () => {
    assert.equal(classifyWrite({ status: 500, body: { applied: null } }), "info");
    assert.equal(classifyWrite({ status: 502, body: "bad gateway" }), "info");
  });

  it("records a refused connection as fail because nothing was sent", () => {
    assert.equal(classifyWrite({ errorCode: "ECONNREFUSED" }), "fail");
  });

  it("records a DNS failure as fail because nothing was sent", () => {
    assert.equal(classifyWrite({ errorCode: "ENOTFOUND" }), "fail");
  });

  it("records a reset or timeout after sending as info, never as fail", () => {
    assert.equal(classifyWrite({ errorCode: "ECONNRESET" }), "info");
    assert.equal(classifyWrite({ errorCode: "ECONNABORTED" }), "info");
    assert.equal(classifyWrite({ errorCode: "ETIMEDOUT" }), "info");
  });
});

describe("combineAttempts", () => {
  it("acknowledges a retried write when any attempt was acknowledged", () => {
    assert.equal(combineAttempts(["fail", "info", "ok"]), "ok");
  });

  it("keeps a retried write unknown when any attempt may have applied it", () => {
    assert.equal(combineAttempts(["fail", "info", "fail"]), "info");
  });

  it("fails a retried write only when every attempt certainly did not apply it", () => {
    assert.equal(combineAttempts(["fail", "fail"]), "fail");
  });
});
