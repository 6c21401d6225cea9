// Shared plumbing of the toxic stages: bookkeeping after close, a pass-through stage, one timer.
import type { Chunk, StageContext, ToxicAttributes, ToxicStage } from "./kind.ts";

/** Common bookkeeping: after the stage closed its output, whatever still arrives is discarded. */
export abstract class Stage implements ToxicStage {
  protected closed = false;
  protected destroyed = false;
  protected ending = false;

  constructor(protected readonly context: StageContext) {}

  abstract write(chunk: Chunk): void;
  abstract update(attributes: ToxicAttributes): void;

  end(): void {
    this.ending = true;
    this.close();
  }

  drain(): void {
    if (this.ending) this.close();
  }

  destroy(): void {
    this.destroyed = true;
  }

  protected emit(chunk: Chunk): void {
    if (this.closed || this.destroyed) {
      this.context.output.drop(chunk.data.length);
      return;
    }
    this.context.output.push(chunk);
  }

  protected discard(chunk: Chunk): void {
    this.context.output.drop(chunk.data.length);
  }

  protected close(): void {
    if (this.closed || this.destroyed) return;
    this.closed = true;
    this.context.output.end();
  }
}

/** Lets everything through: the noop toxic, and any toxic whose toxicity roll missed this link. */
export class PassThroughStage extends Stage {
  write(chunk: Chunk): void {
    this.emit(chunk);
  }
  update(): void {}
}

/** The longest delay setTimeout honours (about 24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** At most one pending timeout: setting it again replaces the one before. */
export class SingleTimer {
  private timer: NodeJS.Timeout | undefined;

  get pending(): boolean {
    return this.timer !== undefined;
  }

  set(ms: number, fire: () => void): void {
    this.clear();
    // Node fires a timeout over 2^31-1 ms at once; Go waits. A toxic of 30 days must hold for 30 days.
    const step = Math.min(ms, MAX_TIMEOUT_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (ms > MAX_TIMEOUT_MS) this.set(ms - MAX_TIMEOUT_MS, fire);
      else fire();
    }, step);
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A stage driven by one timer, which is stopped when the stage is drained or destroyed. */
export abstract class TimerStage extends Stage {
  protected readonly timer = new SingleTimer();

  override drain(): void {
    this.timer.clear();
    super.drain();
  }

  override destroy(): void {
    super.destroy();
    this.timer.clear();
  }
}
