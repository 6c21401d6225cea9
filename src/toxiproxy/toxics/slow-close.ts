// slow_close: data passes; when the source closes, the close is passed on `delay` ms later.
import type { Chunk, StageContext, ToxicAttributes, ToxicKind } from "./kind.ts";
import { TimerStage } from "./stage.ts";

class SlowCloseStage extends TimerStage {
  private endAt = 0;

  constructor(
    private delay: number,
    context: StageContext,
  ) {
    super(context);
  }

  write(chunk: Chunk): void {
    this.emit(chunk);
  }

  override end(): void {
    if (this.ending) return;
    this.ending = true;
    this.endAt = this.context.now() + this.delay;
    this.arm();
  }

  update(attributes: ToxicAttributes): void {
    this.delay = attributes["delay"] ?? 0;
    if (!this.timer.pending) return;
    this.endAt = this.context.now() + this.delay;
    this.arm();
  }

  private arm(): void {
    this.timer.set(Math.max(0, this.endAt - this.context.now()), () => this.close());
  }
}

export const slowClose: ToxicKind = {
  type: "slow_close",
  attributes: ["delay"],
  createStage: (attributes, context) => new SlowCloseStage(attributes["delay"] ?? 0, context),
};
