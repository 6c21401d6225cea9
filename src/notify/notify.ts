// POSTs a JSON summary to a webhook (Slack-compatible: the payload's `text` is what Slack shows).
// Short timeouts and no retries: a notification is a courtesy, and a failed one is reported to the
// caller, never thrown, so it cannot change a drill's result.
import http from "node:http";
import https from "node:https";

import type { NotifyOn } from "./on.ts";

export { NOTIFY_ON, type NotifyOn } from "./on.ts";

export const NOTIFY_TIMEOUT_MS = 5000;

export interface NotifyResult {
  ok: boolean;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** Why the POST failed: refused, timed out, a non-2xx status. */
  error?: string;
}

/** Whether a run with this outcome should be notified under `on`. */
export function shouldNotify(on: NotifyOn, outcome: { failed: boolean; regressed: boolean }): boolean {
  switch (on) {
    case "always":
      return true;
    case "regression":
      return outcome.failed || outcome.regressed;
    case "failure":
      return outcome.failed;
  }
}

/** null when `url` is an http(s) URL a notification can go to, else what is wrong with it. */
export function notifyUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `--notify must be an http:// or https:// URL, got ${JSON.stringify(url)}`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return `--notify must be an http:// or https:// URL, got ${parsed.protocol} in ${JSON.stringify(url)}`;
  }
  return null;
}

/** POSTs `payload` as JSON; resolves (never rejects) once answered, refused or timed out. */
export function notify(
  url: string,
  payload: unknown,
  options: { timeoutMs?: number } = {},
): Promise<NotifyResult> {
  const problem = notifyUrlProblem(url);
  if (problem !== null) return Promise.resolve({ ok: false, error: problem });
  const target = new URL(url);
  const body = Buffer.from(JSON.stringify(payload));
  const timeoutMs = options.timeoutMs ?? NOTIFY_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: NotifyResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = (target.protocol === "https:" ? https : http).request(
      target,
      {
        method: "POST",
        // No keep-alive: the socket closes with the answer, so the CLI exits at once.
        agent: false,
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.on("end", () =>
          done(
            status >= 200 && status < 300
              ? { ok: true, status }
              : { ok: false, status, error: `HTTP ${status}` },
          ),
        );
        res.on("error", (err) => done({ ok: false, status, error: err.message }));
      },
    );
    // The whole exchange, connect to last byte, within the timeout.
    const timer = setTimeout(() => {
      done({ ok: false, error: `no answer within ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);
    request.on("error", (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
    request.end(body);
  });
}
