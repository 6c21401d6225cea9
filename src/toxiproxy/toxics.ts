// Toxics with Toxiproxy 2.12's semantics (toxics/*.go). Each kind declares its integer attributes and
// creates one stage per connection and direction. Stages are chained (source -> stage -> ... -> sink).
// Every chunk carries the time it was read; latency is counted from that time, so chunks are delayed
// in parallel (throughput is kept) and two latency toxics add up. A stage that holds chunks hands
// them on, in order, when drained (toxic removed or re-rolled), so nothing is lost or reordered.
import { performance } from "node:perf_hooks";
import { apiErrors, integerField, isRecord, type ToxiproxyApiError } from "./json.ts";

export type ToxicAttributes = Readonly<Record<string, number>>;

export interface Chunk {
  data: Buffer;
  /** Monotonic ms: when the bytes were read; a latency toxic moves it to when it released them. */
  time: number;
}

/** Where a stage sends what it lets through: the next stage, or the destination socket. */
export interface StageOutput {
  push(chunk: Chunk): void;
  /** Bytes the stage discarded, so the link's flow control stops counting them. */
  drop(bytes: number): void;
  /**
   * Closes this direction, as Toxiproxy's stub.Close(): what was pushed before is still delivered,
   * then the destination socket is closed, which in turn closes the whole connection.
   */
  end(): void;
}

export interface StageContext {
  readonly output: StageOutput;
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Per link and toxic; survives attribute updates and toxicity re-rolls (Toxiproxy's stub state). */
  readonly state: Record<string, unknown>;
  /** Resets both sockets of the connection (RST instead of FIN). */
  resetConnection(): void;
}

export interface ToxicStage {
  write(chunk: Chunk): void;
  /** The input ended (the source closed); pass the end on after what is held. */
  end(): void;
  update(attributes: ToxicAttributes): void;
  /** Hand on everything held now, and the end if it was received: the stage is taken out next. */
  drain(): void;
  /** The connection is gone: drop timers and held data. */
  destroy(): void;
}

export interface ToxicKind {
  readonly type: string;
  /** Attribute names (all integers, 0 by default), in the order Toxiproxy prints them. */
  readonly attributes: readonly string[];
  /** Rejections Toxiproxy 2.13 added for values that hang or crash 2.12; a message or undefined. */
  validate?(attributes: ToxicAttributes): string | undefined;
  /** Removing it closes the connection instead of passing data on (Toxiproxy's CleanupToxic). */
  readonly closesOnRemove?: boolean;
  createStage(attributes: ToxicAttributes, context: StageContext): ToxicStage;
}

const kinds = new Map<string, ToxicKind>();

function registerToxicKind(kind: ToxicKind): void {
  kinds.set(kind.type, kind);
}

export function toxicKind(type: string): ToxicKind | undefined {
  return kinds.get(type);
}

export function toxicTypes(): string[] {
  return [...kinds.keys()].sort();
}

export const monotonicMs = (): number => performance.now();

/** Go's error for `attributes` that are not a JSON object, decoded into the struct toxics.<goType>. */
export function attributesNotObject(value: unknown, goType: string): ToxiproxyApiError {
  return apiErrors.badRequestBody(
    `json: cannot unmarshal ${Array.isArray(value) ? "array" : typeof value} into Go struct field ` +
      `ToxicWrapper.attributes of type toxics.${goType}`,
  );
}

/** Attributes as Go decodes them into the toxic's struct: `patch` merged over `base` (or zeros). */
export function parseToxicAttributes(
  kind: ToxicKind,
  patch: unknown,
  base: ToxicAttributes | undefined,
): ToxicAttributes {
  const result: Record<string, number> = {};
  for (const name of kind.attributes) result[name] = base?.[name] ?? 0;
  if (patch === undefined || patch === null) return result;
  if (!isRecord(patch)) throw attributesNotObject(patch, kind.type);
  for (const name of kind.attributes) {
    const value = integerField(patch, name, `${kind.type}.attributes`);
    if (value !== undefined) result[name] = value;
  }
  const problem = kind.validate?.(result);
  if (problem !== undefined) throw apiErrors.badRequestBody(problem);
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Shared plumbing

/** Common bookkeeping: after the stage closed its output, whatever still arrives is discarded. */
abstract class Stage implements ToxicStage {
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

/** At most one pending timeout: setting it again replaces the one before. */
class SingleTimer {
  private timer: NodeJS.Timeout | undefined;

  get pending(): boolean {
    return this.timer !== undefined;
  }

  set(ms: number, fire: () => void): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      fire();
    }, ms);
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A stage driven by one timer, which is stopped when the stage is drained or destroyed. */
abstract class TimerStage extends Stage {
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

interface Timed {
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
abstract class QueueStage extends Stage {
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

// ---------------------------------------------------------------------------------------------------
// latency: each chunk leaves `latency` ± `jitter` ms after it was read (or after the previous latency
// toxic released it). Chunks are timed individually, in order: a FIFO keeps a later chunk with less
// jitter from overtaking.

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

registerToxicKind({
  type: "latency",
  attributes: ["latency", "jitter"],
  createStage: (attributes, context) => new LatencyStage(attributes, context),
});

// ---------------------------------------------------------------------------------------------------
// bandwidth: at most `rate` KB/s (1 KB = 1000 bytes, so `rate` bytes per millisecond). Like
// Toxiproxy, a chunk larger than 100 ms worth is sent in 100 ms slices; the schedule is kept on a
// virtual clock so timer overshoot does not lower the rate. rate <= 0 lets data through unthrottled
// (Toxiproxy 2.12 hangs on 0 and panics below; 2.13 fixed both).

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

registerToxicKind({
  type: "bandwidth",
  attributes: ["rate"],
  createStage: (attributes, context) => new BandwidthStage(attributes["rate"] ?? 0, context),
});

// ---------------------------------------------------------------------------------------------------
// slow_close: data passes; when the source closes, the close is passed on `delay` ms later.

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

registerToxicKind({
  type: "slow_close",
  attributes: ["delay"],
  createStage: (attributes, context) => new SlowCloseStage(attributes["delay"] ?? 0, context),
});

// ---------------------------------------------------------------------------------------------------
// timeout: data is dropped; the connection is closed once `timeout` ms pass without data arriving
// (Toxiproxy re-arms its timer for every chunk it drops). 0 (or less) stalls until the toxic is
// removed, and removing it closes the connection.

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

registerToxicKind({
  type: "timeout",
  attributes: ["timeout"],
  closesOnRemove: true,
  createStage: (attributes, context) => new TimeoutStage(attributes["timeout"] ?? 0, context),
});

// ---------------------------------------------------------------------------------------------------
// reset_peer: the first data (or close) on this stream starts a `timeout` ms countdown, after which
// both sockets are reset (RST, "connection reset by peer"). Data arriving meanwhile is dropped.

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

registerToxicKind({
  type: "reset_peer",
  attributes: ["timeout"],
  createStage: (attributes, context) => new ResetPeerStage(attributes["timeout"] ?? 0, context),
});

// ---------------------------------------------------------------------------------------------------
// slicer: each chunk is cut into pieces of about `average_size` ± `size_variation` bytes, each piece
// sent `delay` microseconds after the previous one.

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

registerToxicKind({
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
});

// ---------------------------------------------------------------------------------------------------
// limit_data: passes at most `bytes` bytes on this link and direction, then closes the connection.
// The count lives in the link's state, so updating the toxic does not restart it.

interface LimitDataState {
  transmitted?: number;
}

class LimitDataStage extends Stage {
  constructor(
    private bytes: number,
    context: StageContext,
  ) {
    super(context);
  }

  private get state(): LimitDataState {
    return this.context.state as LimitDataState;
  }

  write(chunk: Chunk): void {
    if (this.closed) return this.discard(chunk);
    const transmitted = this.state.transmitted ?? 0;
    const remaining = Math.max(0, this.bytes - transmitted);
    let data = chunk.data;
    if (remaining < data.length) {
      this.context.output.drop(data.length - remaining);
      data = data.subarray(0, remaining);
    }
    if (data.length > 0) {
      this.state.transmitted = transmitted + data.length;
      this.emit({ data, time: chunk.time });
    }
    if (this.bytes - (this.state.transmitted ?? 0) <= 0) this.close();
  }

  update(attributes: ToxicAttributes): void {
    this.bytes = attributes["bytes"] ?? 0;
  }
}

registerToxicKind({
  type: "limit_data",
  attributes: ["bytes"],
  createStage: (attributes, context) => new LimitDataStage(attributes["bytes"] ?? 0, context),
});

// ---------------------------------------------------------------------------------------------------
// noop: lets everything through (Toxiproxy registers it; its tests use it to flap the chain).

registerToxicKind({
  type: "noop",
  attributes: [],
  createStage: (_attributes, context) => new PassThroughStage(context),
});
