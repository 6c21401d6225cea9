// bandwidth: at most `rate` KB/s (1 KB = 1000 bytes, so `rate` bytes per millisecond). Like
// Toxiproxy, a chunk larger than 100 ms worth is sent in 100 ms slices; the schedule is kept on a
// virtual clock so timer overshoot does not lower the rate. rate <= 0 lets data through unthrottled
// (Toxiproxy 2.12 hangs on 0 and panics below; 2.13 fixed both).
import type { Chunk, StageContext, ToxicAttributes, ToxicKind } from "./kind.ts";
import { QueueStage } from "./timed-queue.ts";

/** When each piece of a chunk may leave, for a link free from `start` on. */
export function bandwidthSchedule(
  length: number,
  rate: number,
  start: number,
): Array<{ offset: number; end: number; due: number }> {
  const pieces: Array<{ offset: number; end: number; due: number }> = [];
  const slice = rate * 100;
  let offset = 0;
  let due = start;
  while (length - offset > slice) {
    due += 100;
    pieces.push({ offset, end: offset + slice, due });
    offset += slice;
  }
  pieces.push({ offset, end: length, due: due + (length - offset) / rate });
  return pieces;
}

class BandwidthStage extends QueueStage {
  /** When the link has sent everything scheduled so far. */
  private freeAt = 0;

  constructor(
    private rate: number,
    context: StageContext,
  ) {
    super(context);
  }

  write(chunk: Chunk): void {
    if (this.closed) return this.discard(chunk);
    const now = this.context.now();
    if (this.rate <= 0) {
      this.freeAt = now;
      this.queue.add({ due: now, chunk });
      return;
    }
    const pieces = bandwidthSchedule(chunk.data.length, this.rate, Math.max(now, this.freeAt));
    for (const piece of pieces) {
      const data = pieces.length === 1 ? chunk.data : chunk.data.subarray(piece.offset, piece.end);
      this.queue.add({ due: piece.due, chunk: { data, time: chunk.time } });
    }
    this.freeAt = pieces[pieces.length - 1]!.due;
  }

  update(attributes: ToxicAttributes): void {
    this.rate = attributes["rate"] ?? 0;
    // What is waiting is paced again at the new rate, starting now.
    let due = this.context.now();
    this.queue.reschedule((item) => {
      due += this.rate > 0 ? item.chunk.data.length / this.rate : 0;
      return due;
    });
    this.freeAt = due;
  }
}

export const bandwidth: ToxicKind = {
  type: "bandwidth",
  attributes: ["rate"],
  createStage: (attributes, context) => new BandwidthStage(attributes["rate"] ?? 0, context),
};
