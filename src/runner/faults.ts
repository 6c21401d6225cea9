// Runs the drill's fault timeline relative to workload start and guarantees that every fault injected
// is healed exactly once: at the end of its duration, or by healAll() on any exit path.
import type { Fault } from "../drill/types.ts";
import { injectFault, type InjectedFault, type NemesisContext } from "../nemesis/nemesis.ts";

export class FaultSchedule {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly active = new Set<InjectedFault>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Faults from the start of their injection to the end of their heal: what they do is expected. */
  private readonly inEffect = new Set<Fault>();
  private stopped = false;
  readonly errors: Error[] = [];

  constructor(
    private readonly faults: Fault[],
    private readonly ctx: NemesisContext,
    private readonly log: (line: string) => void = () => {},
  ) {}

  start(): void {
    this.faults.forEach((fault, index) => {
      this.after(fault.atMs, async () => {
        this.inEffect.add(fault);
        const injected = await injectFault(fault, index, this.ctx).catch((err: unknown) => {
          this.inEffect.delete(fault);
          throw err;
        });
        this.byInjected.set(injected, fault);
        this.log(`fault injected: ${injected.description}`);
        this.active.add(injected);
        if (this.stopped) return this.heal(injected);
        if (fault.durationMs !== undefined) this.after(fault.durationMs, () => this.heal(injected));
      });
    });
  }

  private after(ms: number, action: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      const run = action().catch((err: Error) => {
        this.errors.push(err);
        this.log(`fault error: ${err.message}`);
      });
      this.pending.add(run);
      void run.finally(() => this.pending.delete(run));
    }, ms);
    this.timers.add(timer);
  }

  private readonly byInjected = new Map<InjectedFault, Fault>();

  private async heal(injected: InjectedFault): Promise<void> {
    if (!this.active.delete(injected)) return;
    try {
      await injected.heal();
    } finally {
      const fault = this.byInjected.get(injected);
      if (fault !== undefined) this.inEffect.delete(fault);
    }
    this.log(`fault healed: ${injected.description}`);
  }

  /**
   * Whether a fault in effect may account for `region`'s processes stopping: a region outage there,
   * or a hook fault (its commands may do anything).
   */
  explainsRegionDown(region: string): boolean {
    return [...this.inEffect].some(
      (f) => f.type === "hook" || (f.type === "region-outage" && f.region === region),
    );
  }

  /** Whether a fault in effect may account for shared infrastructure (DNS, the proxy server) failing. */
  explainsInfrastructure(): boolean {
    return [...this.inEffect].some((f) => f.type === "hook");
  }

  /** Cancel what hasn't started, wait for what is in flight, heal everything still active. */
  async healAll(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.pending]);
    const results = await Promise.allSettled([...this.active].map((f) => this.heal(f)));
    for (const r of results) if (r.status === "rejected") this.errors.push(r.reason as Error);
  }
}
