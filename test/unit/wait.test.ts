// waitUntil on literal probes: the one way src waits for a condition.
import assert from "node:assert/strict";
import { AbortedError } from "../../src/util/abort.ts";
import { waitUntil, type LastProbe } from "../../src/util/wait.ts";

/** A probe that answers the given values in turn, then keeps answering the last one. */
function answers<T>(...values: T[]): { probe: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    probe: () => Promise.resolve(values[Math.min(calls++, values.length - 1)]!),
    calls: () => calls,
  };
}

describe("waitUntil", () => {
  it("resolves with the first truthy value and probes no further", async () => {
    const { probe, calls } = answers<string | null>(null, "", "ready", "later");
    assert.equal(await waitUntil(probe, { timeoutMs: 1000, intervalMs: 1, describe: "ready" }), "ready");
    assert.equal(calls(), 3);
  });

  it("probes once at once, with no pause before the first try", async () => {
    const started = performance.now();
    await waitUntil(() => true, { timeoutMs: 1000, intervalMs: 500, describe: "anything" });
    assert.ok(performance.now() - started < 100);
  });

  it("times out saying what it awaited, for how long, and what the probe last saw", async () => {
    const { probe } = answers<string | false>(false);
    await assert.rejects(
      waitUntil(probe, { timeoutMs: 60, intervalMs: 10, describe: "the standby to stream" }),
      {
        name: "WaitTimeoutError",
        message: /^timed out after 60 ms waiting for the standby to stream \(last: false after \d+ tries\)$/,
      },
    );
  });

  it("counts a throwing probe as not yet and names its last error on timeout", async () => {
    let calls = 0;
    const probe = (): Promise<boolean> => Promise.reject(new Error(`refused ${++calls}`));
    await assert.rejects(
      waitUntil(probe, { timeoutMs: 50, intervalMs: 10, describe: "a connection" }),
      (err: Error) => {
        assert.equal(err.name, "WaitTimeoutError");
        assert.match(err.message, new RegExp(`waiting for a connection \\(last error: refused ${calls}\\)$`));
        return true;
      },
    );
    assert.ok(calls >= 2, `${calls} tries`);
  });

  it("lets a probe's error end the wait at once when errors are not retried", async () => {
    const { probe, calls } = answers(1);
    const failing = async (): Promise<boolean> => {
      await probe();
      throw new Error("the server exited");
    };
    await assert.rejects(
      waitUntil(failing, { timeoutMs: 1000, intervalMs: 1, describe: "x", retryErrors: false }),
      { message: "the server exited" },
    );
    assert.equal(calls(), 1);
  });

  it("builds the whole message and error from the last probe when asked to", async () => {
    class ReloadError extends Error {
      override name = "ReloadError";
    }
    let seen: LastProbe<string> | undefined;
    await assert.rejects(
      waitUntil(() => Promise.resolve(""), {
        timeoutMs: 30,
        intervalMs: 5,
        describe: (last) => {
          seen = last;
          return "synchronous_standby_names not reloaded within 5 s";
        },
        error: (message) => new ReloadError(message),
      }),
      { name: "ReloadError", message: "synchronous_standby_names not reloaded within 5 s" },
    );
    assert.equal(seen?.value, "");
    assert.ok(seen!.attempts >= 2 && seen!.elapsedMs >= 30, JSON.stringify(seen));
  });

  it("does not wait past its deadline for a long interval", async () => {
    const started = performance.now();
    await assert.rejects(waitUntil(() => false, { timeoutMs: 50, intervalMs: 10_000, describe: "never" }));
    const took = performance.now() - started;
    assert.ok(took >= 50 && took < 1000, `${took} ms`);
  });

  it("ends with an AbortedError when aborted during a pause", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort("drill stopped"), 20);
    const started = performance.now();
    await assert.rejects(
      waitUntil(() => false, {
        timeoutMs: 10_000,
        intervalMs: 5000,
        describe: "never",
        signal: abort.signal,
      }),
      (err: Error) => err instanceof AbortedError && err.message === "drill stopped",
    );
    assert.ok(performance.now() - started < 1000);
  });

  it("does not probe at all when already aborted", async () => {
    const { probe, calls } = answers(true);
    await assert.rejects(
      waitUntil(probe, { timeoutMs: 1000, intervalMs: 1, describe: "x", signal: AbortSignal.abort() }),
      { name: "AbortedError" },
    );
    assert.equal(calls(), 0);
  });

  it("cuts a pause short when its wake promise settles", async () => {
    let exited = false;
    let wake!: () => void;
    const exit = new Promise<void>((resolve) => (wake = resolve));
    setTimeout(() => {
      exited = true;
      wake();
    }, 20);
    const started = performance.now();
    const result = await waitUntil(() => exited && "exited", {
      timeoutMs: 10_000,
      intervalMs: 5000,
      describe: "exit",
      wake: exit,
    });
    assert.equal(result, "exited");
    assert.ok(performance.now() - started < 1000);
  });

  it("pauses in full again once its wake promise has settled, instead of polling without pause", async () => {
    let calls = 0;
    await assert.rejects(
      waitUntil(
        () => {
          calls++;
          return false;
        },
        { timeoutMs: 100, intervalMs: 40, describe: "never", wake: Promise.resolve() },
      ),
    );
    // About 5 (at once, after the wake, then every 40 ms and at the deadline); thousands without pauses.
    assert.ok(calls <= 8, `${calls} probes in 100 ms at a 40 ms interval`);
  });
});
