// Watches the authoritative answer for the drill's name over real DNS, so the checkers can measure
// when the server started answering the new address (independently of the controller's own claim).
import { Events, Processes } from "../history/types.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import { pause } from "../util/abort.ts";
import { queryA } from "./resolver.ts";

export class DnsMonitor {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly server: { host: string; port: number },
    private readonly name: string,
    private readonly history: HistoryRecorder,
    /** Poll interval; the uncertainty of the authoritative switch time. */
    readonly pollMs = 20,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let last: string | undefined;
    while (!this.abort.signal.aborted) {
      try {
        const answer = await queryA(this.server, this.name, { timeoutMs: 200, attempts: 1 });
        if (answer.address !== last) {
          last = answer.address;
          this.history.event(Processes.dnsMonitor, Events.authoritativeAnswer, {
            ...answer,
            pollMs: this.pollMs,
          });
        }
      } catch {
        // A missed poll only widens the uncertainty; the next one will tell.
      }
      await pause(this.pollMs, this.abort.signal);
    }
  }
}
