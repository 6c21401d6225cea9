// Readiness probe shared by the process and docker platforms' app and proxy start-up waits.
import http from "node:http";

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
