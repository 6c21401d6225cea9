// Active-active: samples every region's keyed data once a second, directly (not through the proxies),
// and records how many keys differ between regions that should agree, and rows found outside their
// jurisdiction: the evidence for divergence over time, time to converge, and residency.
import { divergenceByJurisdiction } from "../checkers/conflicts/regions.ts";
import type { ActiveActiveEngine, DatabaseNode, KeyedState } from "../engines/types.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import { Events, Processes } from "../history/types.ts";
import { pause } from "../util/abort.ts";

export const KEYED_SAMPLE_MS = 1000;
/** How many divergent keys a sample names (the count is always exact). */
const LISTED_KEYS = 5;

export interface DivergenceSampleValue {
  divergent: number;
  keys: string[];
  /** Regions that did not answer: the sample compares the others. */
  unreachable: string[];
  /** Rows outside the region's jurisdiction, by region (data residency; only non-zero ones). */
  outside: Record<string, number>;
}

export class KeyedMonitor {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly engine: ActiveActiveEngine,
    private readonly nodes: ReadonlyMap<string, DatabaseNode>,
    private readonly jurisdictionOf: ReadonlyMap<string, string>,
    private readonly history: HistoryRecorder,
    private readonly sampleMs = KEYED_SAMPLE_MS,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      await this.sample().catch(() => {});
      await pause(this.sampleMs, this.abort.signal).catch(() => {});
    }
  }

  async sample(): Promise<DivergenceSampleValue> {
    const states = new Map<string, KeyedState>();
    const unreachable: string[] = [];
    await Promise.all(
      [...this.nodes].map(async ([region, node]) => {
        try {
          if (!node.running) throw new Error("not running");
          states.set(region, await this.engine.readKeyed(node, this.jurisdictionOf.get(region) ?? "", 800));
        } catch {
          unreachable.push(region);
        }
      }),
    );
    const keys = divergenceByJurisdiction(states, this.jurisdictionOf);
    const outside = Object.fromEntries(
      [...states].filter(([, s]) => s.outOfJurisdiction > 0).map(([r, s]) => [r, s.outOfJurisdiction]),
    );
    const value: DivergenceSampleValue = {
      divergent: keys.length,
      keys: keys.slice(0, LISTED_KEYS),
      unreachable: unreachable.sort(),
      outside,
    };
    this.history.event(Processes.runner, Events.divergenceSample, { ...value });
    return value;
  }
}
