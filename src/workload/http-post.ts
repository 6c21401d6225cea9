// One HTTP POST with a deadline over the client's own agent: the status and JSON body, or the error
// code when no response came. Plain node:http, because a thousand virtual clients at hundreds of writes
// a second make the client's own cost part of what the drill measures (axios cost 2-4x the CPU here).
import http from "node:http";
import { fairTimeout } from "../util/fair-timeout.ts";
import type { ClientObservation } from "./outcome.ts";

export interface PostTarget {
  host: string;
  port: number;
  path: string;
  agent: http.Agent;
  /** The whole exchange, connect to last byte; past it the request is abandoned (ECONNABORTED). */
  timeoutMs: number;
}

export function post(
  target: PostTarget,
): Promise<ClientObservation & { socket?: http.ClientRequest["socket"] }> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: ClientObservation & { socket?: http.ClientRequest["socket"] }): void => {
      if (settled) return;
      settled = true;
      timer.clear();
      resolve(o);
    };
    const request = http.request(
      { host: target.host, port: target.port, path: target.path, method: "POST", agent: target.agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          let body: unknown;
          try {
            body = chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            body = undefined; // not JSON: the status alone decides
          }
          done({ status: response.statusCode ?? 0, body, socket: request.socket });
        });
        response.on("error", (err: NodeJS.ErrnoException) => done({ errorCode: err.code ?? err.message }));
      },
    );
    // Sent or not is unknown once the deadline passes: the code the outcome rules read as `info`.
    const timer = fairTimeout(() => {
      done({ errorCode: "ECONNABORTED" });
      request.destroy();
    }, target.timeoutMs);
    request.on("error", (err: NodeJS.ErrnoException) => done({ errorCode: err.code ?? err.message }));
    request.end();
  });
}
