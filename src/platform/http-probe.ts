// HTTP and TCP probes: the readiness waits of both platforms, the steady-state gate and the built-in
// manager's health checks.
import http from "node:http";
import net from "node:net";
import { fairTimeout } from "../util/fair-timeout.ts";

/** Whether `url` answers HTTP at all (any status) within `timeoutMs`, on a fresh connection. */
export function httpAnswers(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      resolve(true);
    });
    request.once("timeout", () => request.destroy());
    request.once("error", () => resolve(false));
  });
}

/** Whether a TCP connection to host:port succeeds within `timeoutMs`. */
export function acceptsConnections(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

export type ProbeResult = { healthy: true } | { healthy: false; error: string };

/**
 * One health probe of the app's health path: a fresh connection each time (no keep-alive), bounded by
 * `timeoutMs`; only 200 is healthy.
 */
export function probeHealth(
  host: string,
  port: number,
  timeoutMs: number,
  path = "/health",
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      deadline.clear();
      resolve(result);
    };
    const req = http.get({ host, port, path, agent: false }, (res) => {
      res.resume();
      if (res.statusCode === 200) settle({ healthy: true });
      else settle({ healthy: false, error: `HTTP ${res.statusCode}` });
    });
    // The whole exchange is bounded, not the socket's idle time; and a stalled event loop must not
    // turn an answer that had arrived into a timeout (see fair-timeout.ts).
    const deadline = fairTimeout(() => {
      settle({ healthy: false, error: `timeout after ${timeoutMs}ms` });
      req.destroy();
    }, timeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) =>
      settle({ healthy: false, error: err.code ?? err.message }),
    );
  });
}
