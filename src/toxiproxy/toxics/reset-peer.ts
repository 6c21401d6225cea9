// reset_peer: the first data (or close) on this stream starts a `timeout` ms countdown, after which
// both sockets are reset (RST, "connection reset by peer"). Data arriving meanwhile is dropped.
import type { Chunk, StageContext, ToxicAttributes, ToxicKind } from "./kind.ts";
import { TimerStage } from "./stage.ts";

class ResetPeerStage extends TimerStage {
  private triggered = false;

  constructor(
    private timeout: number,
    context: StageContext,
  ) {
    super(context);
  }

  write(chunk: Chunk): void {
    this.discard(chunk);
    this.trigger();
  }

  override end(): void {
    this.ending = true;
    this.trigger();
  }

  update(attributes: ToxicAttributes): void {
    // Toxiproxy cannot interrupt a countdown already running; only a later one uses the new value.
    this.timeout = attributes["timeout"] ?? 0;
  }

  private trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    this.timer.set(Math.max(0, this.timeout), () => {
      if (!this.destroyed) this.context.resetConnection();
    });
  }
}

export const resetPeer: ToxicKind = {
  type: "reset_peer",
  attributes: ["timeout"],
  createStage: (attributes, context) => new ResetPeerStage(attributes["timeout"] ?? 0, context),
};
