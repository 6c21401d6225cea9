// timeout: data is dropped; the connection is closed once `timeout` ms pass without data arriving
// (Toxiproxy re-arms its timer for every chunk it drops). 0 (or less) stalls until the toxic is
// removed, and removing it closes the connection.
import type { Chunk, StageContext, ToxicAttributes, ToxicKind } from "./kind.ts";
import { TimerStage } from "./stage.ts";

class TimeoutStage extends TimerStage {
  constructor(
    private timeout: number,
    context: StageContext,
  ) {
    super(context);
    this.arm();
  }

  write(chunk: Chunk): void {
    this.discard(chunk);
    this.arm();
  }

  update(attributes: ToxicAttributes): void {
    this.timeout = attributes["timeout"] ?? 0;
    this.arm();
  }

  private arm(): void {
    this.timer.clear();
    if (this.timeout <= 0 || this.closed) return;
    this.timer.set(this.timeout, () => this.close());
  }
}

export const timeout: ToxicKind = {
  type: "timeout",
  attributes: ["timeout"],
  closesOnRemove: true,
  createStage: (attributes, context) => new TimeoutStage(attributes["timeout"] ?? 0, context),
};
