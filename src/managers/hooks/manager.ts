// The hooks manager: a team's own stack, driven and observed through its commands. `status` is polled on
// the health check's schedule; when it has not named the primary for failureThreshold polls in a row,
// the primary is declared down (t_decision). Then `fence` and `promote` run when given (promote is
// told the most advanced reachable standby); without promote the team's own HA promotes and the drill
// only watches. Either way the failover is complete (t_writable) once status names another region and
// that region's database commits a canary. Every step is a ManagerEvents event and every command a
// `hook` event, so the checkers measure this manager as they measure the built-in one.
import type { Drill } from "../../drill/types.ts";
import type { HookTopology } from "../../hooks/environment.ts";
import { hookFailure, runRecordedHook, type RecordedHookCall } from "../../hooks/recorded.ts";
import type { HookResult } from "../../hooks/run.ts";
import { Processes } from "../../history/types.ts";
import { pause } from "../../util/abort.ts";
import { chooseCandidate } from "../builtin/candidate.ts";
import { ManagerEvents } from "../events.ts";
import type { FailoverManager, ManagerContext } from "../types.ts";

type Hooks = NonNullable<Drill["controller"]["hooks"]>;

/** What a status run said: a region, no primary (null), or nothing usable (the run failed). */
type StatusAnswer = { ok: true; primary: string | null } | { ok: false };

/** Words a status command may print for "no primary right now", besides printing nothing. */
const NO_PRIMARY = new Set(["none", "-"]);

/**
 * The region a status command's output names: the first word of its first non-blank line; null for no
 * primary; an error message when it names no region of the drill.
 */
export function parseStatus(stdout: string, regions: readonly string[]): { primary: string | null } | string {
  const line = stdout.split("\n").find((l) => l.trim() !== "");
  const word = line?.trim().split(/\s+/)[0];
  if (word === undefined || NO_PRIMARY.has(word.toLowerCase())) return { primary: null };
  if (regions.includes(word)) return { primary: word };
  return `printed ${JSON.stringify(word)}, not a region (expected one of ${regions.join(", ")}, or nothing)`;
}

export class HooksManager implements FailoverManager {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly events: ManagerEvents;
  private readonly hooks: Hooks;
  private readonly regions: string[];
  private readonly setting: HookTopology;
  /** Where the next status poll is due (performance.now()), so polls keep a fixed rate. */
  private next = 0;

  constructor(private readonly o: ManagerContext) {
    const hooks = o.drill.controller.hooks;
    if (hooks === undefined) throw new Error("manager hooks needs controller.hooks");
    this.hooks = hooks;
    this.events = new ManagerEvents(o.history);
    this.regions = o.drill.regions.map((r) => r.name);
    this.setting = o.topology.hookTopology();
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted) this.events.failed({ error: (err as Error).message });
    });
  }

  async stop(): Promise<void> {
    this.abort.abort("manager stopped");
    await this.loop;
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private hook(call: RecordedHookCall, judge?: (r: HookResult) => string | undefined): Promise<HookResult> {
    return runRecordedHook({
      history: this.o.history,
      process: Processes.controller,
      topology: this.setting,
      call,
      signal: this.signal,
      ...(judge === undefined ? {} : { judge }),
    });
  }

  /** One status run; a run that failed, or printed no region of the drill, is recorded as failed. */
  private async status(): Promise<StatusAnswer> {
    let parsed: { primary: string | null } | undefined;
    const result = await this.hook(
      {
        hook: "status",
        command: this.hooks.status,
        timeoutMs: this.o.drill.controller.healthCheck.timeoutMs,
      },
      (r) => {
        const answer = parseStatus(r.stdout, this.regions);
        if (typeof answer === "string") return answer;
        parsed = answer;
        return undefined;
      },
    );
    return result.ok && parsed !== undefined ? { ok: true, primary: parsed.primary } : { ok: false };
  }

  /** Waits for the next poll on the fixed schedule (a slow status run does not shift it). */
  private async tick(): Promise<void> {
    this.next += this.o.drill.controller.healthCheck.intervalMs;
    await pause(this.next - performance.now(), this.signal);
  }

  private async run(): Promise<void> {
    const { intervalMs, failureThreshold } = this.o.drill.controller.healthCheck;
    const primary = this.o.drill.regions.find((r) => r.role === "primary")!.name;
    // Like any health checker, not synchronised with the fault: a random phase samples the whole
    // (threshold-1)..threshold interval range of detection.
    const phaseMs = Math.random() * intervalMs;
    this.next = performance.now() + phaseMs;
    await pause(phaseMs, this.signal);
    let missing = 0;
    while (!this.signal.aborted) {
      const answer = await this.status();
      if (this.signal.aborted) return;
      // A failed run says nothing either way (it is recorded; the checkers flag what rests on it).
      if (answer.ok) missing = answer.primary === primary ? 0 : missing + 1;
      if (missing >= failureThreshold) {
        await this.failover(primary, answer.ok ? answer.primary : null);
        return;
      }
      await this.tick();
    }
  }

  private async failover(failed: string, named: string | null): Promise<void> {
    const { failureThreshold } = this.o.drill.controller.healthCheck;
    this.events.detected({ region: failed, consecutiveFailures: failureThreshold });
    const timeoutMs = this.hooks.timeoutMs;

    if (this.hooks.fence !== undefined) {
      const fenced = await this.hook({
        hook: "fence",
        command: this.hooks.fence,
        timeoutMs,
        failedRegion: failed,
      });
      if (this.signal.aborted) return;
      // A failed fence is in its hook event (promotion is then inconclusive); the failover goes on.
      if (fenced.ok) this.events.fenced({ region: failed });
    }

    // Status already names a new primary: the team's stack promoted; the drill does not promote twice.
    const promotedAlready = named !== null && named !== failed;
    if (this.hooks.promote !== undefined && !promotedAlready) {
      const candidate = await this.candidate(failed);
      if (this.signal.aborted) return;
      const promoted = await this.hook({
        hook: "promote",
        command: this.hooks.promote,
        timeoutMs,
        failedRegion: failed,
        candidate,
      });
      if (this.signal.aborted) return;
      if (!promoted.ok) this.events.failed({ error: hookFailure({ hook: "promote" }, promoted) });
    }
    await this.untilWritable(failed);
  }

  /** The most advanced reachable standby, else the first other region in drill order. */
  private async candidate(failed: string): Promise<string> {
    const { topology } = this.o;
    const standbys = this.regions
      .filter((name) => name !== failed)
      .map((name) => ({ name, node: topology.node(name) }));
    const choice = await chooseCandidate(standbys, topology.engine);
    const region = choice?.region ?? standbys[0]!.name;
    this.events.promoting({
      region,
      ...(choice === undefined ? {} : { receivedLsn: choice.receivedLsn, candidates: choice.candidates }),
    });
    return region;
  }

  /**
   * Polls status until it names a region other than the failed one whose database commits a canary:
   * t_writable, known to within one poll interval.
   */
  private async untilWritable(failed: string): Promise<void> {
    const { intervalMs } = this.o.drill.controller.healthCheck;
    const { topology } = this.o;
    this.next = performance.now();
    while (!this.signal.aborted) {
      const answer = await this.status();
      if (this.signal.aborted) return;
      const region = answer.ok ? answer.primary : null;
      if (region !== null && region !== failed) {
        const proved = await topology.engine.canaryWrite(topology.node(region), region).then(
          () => true,
          () => false,
        );
        if (proved) {
          this.events.writable({ region, pollMs: intervalMs });
          return;
        }
      }
      await this.tick();
    }
  }
}
