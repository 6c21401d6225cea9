// slicer: each chunk is cut into pieces of about `average_size` ± `size_variation` bytes, each piece
// sent `delay` microseconds after the previous one.
import type { Chunk, StageContext, ToxicAttributes, ToxicKind } from "./kind.ts";
import { QueueStage } from "./timed-queue.ts";

/**
 * Cut offsets for `length` bytes, Toxiproxy's way: halve around the middle ± variation until a piece
 * is at most average + variation. Returns piece boundaries [0, ..., length]. Pieces never get empty.
 */
export function sliceOffsets(
  length: number,
  average: number,
  variation: number,
  random: () => number = Math.random,
): number[] {
  const cuts: number[] = [0];
  const split = (start: number, end: number): void => {
    if (end - start - average <= variation || end - start <= 1) {
      cuts.push(end);
      return;
    }
    const offset = variation > 0 ? Math.floor(random() * 2 * variation) - variation : 0;
    const mid = Math.min(end - 1, Math.max(start + 1, start + Math.floor((end - start) / 2) + offset));
    split(start, mid);
    split(mid, end);
  };
  if (length > 0) split(0, length);
  return cuts;
}

class SlicerStage extends QueueStage {
  /** When the slicer may send its next piece (after the delay that follows every piece). */
  private freeAt = 0;

  constructor(
    private attributes: ToxicAttributes,
    context: StageContext,
  ) {
    super(context);
  }

  write(chunk: Chunk): void {
    if (this.closed) return this.discard(chunk);
    const delayMs = (this.attributes["delay"] ?? 0) / 1000;
    const cuts = sliceOffsets(
      chunk.data.length,
      this.attributes["average_size"] ?? 0,
      this.attributes["size_variation"] ?? 0,
    );
    let due = Math.max(this.context.now(), this.freeAt);
    for (let i = 1; i < cuts.length; i++) {
      this.queue.add({ due, chunk: { data: chunk.data.subarray(cuts[i - 1], cuts[i]), time: chunk.time } });
      due += delayMs;
    }
    this.freeAt = due;
  }

  update(attributes: ToxicAttributes): void {
    this.attributes = attributes;
    const delayMs = (attributes["delay"] ?? 0) / 1000;
    const start = this.context.now();
    this.queue.reschedule((_item, index) => start + index * delayMs);
    this.freeAt = start + this.queue.size * delayMs;
  }
}

export const slicer: ToxicKind = {
  type: "slicer",
  attributes: ["average_size", "size_variation", "delay"],
  validate(attributes) {
    const average = attributes["average_size"] ?? 0;
    const variation = attributes["size_variation"] ?? 0;
    if (average <= 0) return "slicer: average_size must be greater than 0";
    if (variation < 0 || variation > average) {
      return "slicer: size_variation must be between 0 and average_size";
    }
    return undefined;
  },
  createStage: (attributes, context) => new SlicerStage(attributes, context),
};
