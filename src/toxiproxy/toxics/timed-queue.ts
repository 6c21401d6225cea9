// Chunks held until they are due, released in order: the base of latency, bandwidth and slicer.
import type { Chunk, StageContext } from "./kind.ts";
import { SingleTimer, Stage } from "./stage.ts";

export interface Timed {
  due: number;
  chunk: Chunk;
}

/**
 * A FIFO released in order as each head comes due, on one timer. setTimeout works in whole
 * milliseconds, so items due within the next half millisecond go out with the current batch.
 */
class TimedQueue {
  // A moving head: shift() on a long array would copy it for every chunk released.
  private items: (Timed | undefined)[] = [];
  private head = 0;
  private readonly timer = new SingleTimer();
  /** Bumped by flush/clear, so a release loop notices the queue was emptied under it. */
  private generation = 0;

  constructor(
    private readonly now: () => number,
    private readonly release: (item: Timed) => void,
    private readonly emptied: () => void,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  add(item: Timed): void {
    // Nothing waiting and already due: no timer round trip (keeps zero-delay toxics cheap).
    if (this.size === 0 && item.due <= this.now()) {
      this.release(item);
      return;
    }
    this.items.push(item);
    if (this.size === 1) this.schedule();
  }

  /** Recomputes every waiting item's due time (an attribute update). */
  reschedule(due: (item: Timed, index: number) => number): void {
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      item.due = due(item, i - this.head);
    }
    this.schedule();
  }

  /** Releases everything now, in order. */
  flush(): void {
    this.timer.clear();
    this.generation++;
    const items = this.items;
    const head = this.head;
    this.items = [];
    this.head = 0;
    for (let i = head; i < items.length; i++) this.release(items[i]!);
  }

  clear(): void {
    this.timer.clear();
    this.generation++;
    this.items = [];
    this.head = 0;
  }

  private schedule(): void {
    this.timer.clear();
    const next = this.items[this.head];
    if (next === undefined) return;
    const wait = next.due - this.now();
    this.timer.set(Math.max(0, Math.ceil(wait)), () => this.tick());
  }

  private tick(): void {
    const now = this.now() + 0.5;
    const generation = this.generation;
    for (
      let next = this.items[this.head];
      next !== undefined && next.due <= now;
      next = this.items[this.head]
    ) {
      this.items[this.head] = undefined;
      this.head++;
      this.release(next);
      // Releasing can tear the connection down (the queue is cleared): then there is nothing to do.
      if (this.generation !== generation) return;
    }
    if (this.size === 0) {
      this.items = [];
      this.head = 0;
      this.emptied();
      return;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.schedule();
  }
}

/** A stage that holds chunks in a TimedQueue and passes the end on once the queue is empty. */
export abstract class QueueStage extends Stage {
  protected readonly queue: TimedQueue;

  constructor(context: StageContext) {
    super(context);
    this.queue = new TimedQueue(
      context.now,
      (item) => this.emit(this.released(item)),
      () => {
        if (this.ending) this.close();
      },
    );
  }

  /** Hook to stamp a chunk as it leaves. */
  protected released(item: Timed): Chunk {
    return item.chunk;
  }

  override end(): void {
    this.ending = true;
    if (this.queue.size === 0) this.close();
  }

  override drain(): void {
    this.queue.flush();
    if (this.ending) this.close();
  }

  override destroy(): void {
    super.destroy();
    this.queue.clear();
  }
}
