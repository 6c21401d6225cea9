// A cheap health watch of what the drill stands on but does not test: the DNS provider answers, the
// proxy server's API answers, each region's app process is alive. A failure the drill's faults do not
// explain is recorded once per component as an infra-failure event (infra-events.ts), so the summary
// (and `check`) can say the run is inconclusive rather than build figures on it.
import { DnsLookupError, queryA } from "../dns/resolver.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import { Processes } from "../history/types.ts";
import { httpAnswers } from "../platform/http-probe.ts";
import type { ManagedProcess } from "../platform/processes.ts";
import type { RunningTopology } from "../topology/topology.ts";
import { GuardEvents, type InfraComponent, type InfraFailureValue } from "./infra-events.ts";

/** A probe every second; three misses in a row (a loaded machine answers late, not never). */
const INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 1000;
const MISSES = 3;

/** DNS errors that are an answer (the server said no), not silence. */
const ANSWERED_CODES = new Set(["ENOTFOUND", "ESERVFAIL", "EREFUSED", "ENOTIMP", "EFORMERR", "ENODATA"]);

/** What the watch asks the drill's fault schedule: whether a fault in effect explains a failure. */
export interface FaultExplanations {
  explainsRegionDown(region: string): boolean;
  explainsInfrastructure(): boolean;
}

export interface InfraWatchOptions {
  topology: RunningTopology;
  /** The name the DNS provider serves (drill.dns.name). */
  dnsName: string;
  history: HistoryRecorder;
  /** The history's clock: nanoseconds since drill start. */
  now: () => number;
  faults: FaultExplanations;
  /** Whether the workload is running now (a failure then makes the figures unsound). */
  duringWorkload: () => boolean;
  log?: (line: string) => void;
}

interface Probe {
  component: InfraComponent;
  what: string;
  answers: () => Promise<boolean>;
  misses: number;
  firstMissNs: number;
}

export class InfraWatch {
  private readonly probes: Probe[];
  private readonly watchedApps = new Set<ManagedProcess>();
  private readonly failed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly o: InfraWatchOptions) {
    const { dns, proxies } = o.topology;
    const dnsAt = `${dns.endpoint.host}:${dns.endpoint.port}`;
    this.probes = [
      {
        component: "dns",
        what: `the DNS server (${dns.name}, ${dnsAt})`,
        answers: () => dnsAnswers(dns.endpoint, o.dnsName),
        misses: 0,
        firstMissNs: 0,
      },
      {
        component: "proxy",
        what: `the proxy server (${proxies.url})`,
        answers: () => httpAnswers(`${proxies.url}/version`, PROBE_TIMEOUT_MS),
        misses: 0,
        firstMissNs: 0,
      },
    ];
  }

  start(): void {
    this.watchApps();
    this.schedule();
  }

  /** One round at a time, a second apart: a slow probe delays the next rather than piling up. */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.round().finally(() => this.schedule());
    }, INTERVAL_MS);
  }

  /** Stops probing; called before the runner stops anything itself. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private async round(): Promise<void> {
    this.watchApps();
    await Promise.all(
      this.probes.map(async (probe) => {
        const now = this.o.now();
        const ok = await probe.answers().catch(() => false);
        if (this.stopped) return;
        if (ok || this.o.faults.explainsInfrastructure()) {
          probe.misses = 0;
          return;
        }
        if (probe.misses++ === 0) probe.firstMissNs = now;
        if (probe.misses === MISSES)
          this.fail(probe.component, probe.what, "stopped answering", probe.firstMissNs);
      }),
    );
  }

  /** The topology's app processes (restarted ones too): an exit no fault explains is a failure. */
  private watchApps(): void {
    for (const [region, app] of this.o.topology.appProcesses()) {
      if (this.watchedApps.has(app)) continue;
      this.watchedApps.add(app);
      void app.exited.then((exit) => {
        if (this.stopped || this.o.faults.explainsRegionDown(region)) return;
        const how = exit.signal === null ? `code ${exit.code}` : `signal ${exit.signal}`;
        this.fail("app", `the app of ${region} (pid ${app.pid})`, `exited (${how})`, this.o.now());
      });
    }
  }

  private fail(component: InfraComponent, what: string, detail: string, firstFailureNs: number): void {
    if (this.failed.has(what)) return;
    this.failed.add(what);
    const value: InfraFailureValue = {
      component,
      what,
      detail,
      firstFailureNs,
      duringWorkload: this.o.duringWorkload(),
    };
    this.o.history.event(Processes.runner, GuardEvents.infraFailure, value);
    this.o.log?.(`infrastructure failure: ${what} ${detail} (not a fault of the drill)`);
  }
}

async function dnsAnswers(endpoint: { host: string; port: number }, name: string): Promise<boolean> {
  try {
    await queryA(endpoint, name, { timeoutMs: PROBE_TIMEOUT_MS, attempts: 1 });
    return true;
  } catch (err) {
    return err instanceof DnsLookupError && ANSWERED_CODES.has(err.code);
  }
}
