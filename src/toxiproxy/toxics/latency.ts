// latency: each chunk leaves `latency` ± `jitter` ms after it was read (or after the previous latency
// toxic released it). Chunks are timed individually, in order: a FIFO keeps a later chunk with less
// jitter from overtaking.
import type { Chunk, StageContext, ToxicAttributes, ToxicKind } from "./kind.ts";
import { QueueStage, type Timed } from "./timed-queue.ts";

class LatencyStage extends QueueStage {
  constructor(
    private attributes: ToxicAttributes,
    context: StageContext,
  ) {
    super(context);
  }

  /** Go: latency + rand.Int63n(2*jitter) - jitter, whole milliseconds. */
  private delay(): number {
    const latency = this.attributes["latency"] ?? 0;
    const jitter = this.attributes["jitter"] ?? 0;
    return jitter > 0 ? latency + Math.floor(Math.random() * 2 * jitter) - jitter : latency;
  }

  write(chunk: Chunk): void {
    if (this.closed) return this.discard(chunk);
    this.queue.add({ due: chunk.time + this.delay(), chunk });
  }

  update(attributes: ToxicAttributes): void {
    this.attributes = attributes;
    // Held chunks take the new delay too (from when they were read), so lowering it acts at once.
    this.queue.reschedule((item) => item.chunk.time + this.delay());
  }

  protected override released(item: Timed): Chunk {
    // The next latency toxic counts from here: two toxics add up.
    item.chunk.time = Math.max(item.chunk.time, item.due);
    return item.chunk;
  }
}

export const latency: ToxicKind = {
  type: "latency",
  attributes: ["latency", "jitter"],
  createStage: (attributes, context) => new LatencyStage(attributes, context),
};
