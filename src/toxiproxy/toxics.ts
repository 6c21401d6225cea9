// Toxics are pluggable: each kind parses its own attributes and creates one stage per connection and
// direction. Stages are chained (source -> stage -> stage -> sink); a stage may hold chunks and must
// hand every held chunk on, in order, when it is flushed (toxic removed) so nothing is lost.
import { performance } from "node:perf_hooks";

export type ToxicAttributes = Readonly<Record<string, unknown>>;

/** Where a stage sends what it lets through: the next stage, or the destination socket. */
export interface StageOutput {
  push(chunk: Buffer): void;
  /** The input ended (peer sent FIN) and everything before it has been pushed. */
  end(): void;
}

export interface StageContext {
  readonly output: StageOutput;
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Tear down the whole connection (both sockets); for toxics like timeout or reset_peer. */
  destroyConnection(): void;
}

export interface ToxicStage {
  write(chunk: Buffer): void;
  end(): void;
  update(attributes: ToxicAttributes): void;
  /** Push everything held now, and the end if it was received; the stage is removed afterwards. */
  flush(): void;
  /** The connection is gone: drop timers and held data. */
  destroy(): void;
}

export interface ToxicKind {
  readonly type: string;
  /** Validates `patch` merged over `base` (the current attributes, or undefined on create). */
  parseAttributes(patch: unknown, base: ToxicAttributes | undefined): ToxicAttributes;
  createStage(attributes: ToxicAttributes, context: StageContext): ToxicStage;
}

export class ToxicAttributeError extends Error {
  override name = "ToxicAttributeError";
}

const kinds = new Map<string, ToxicKind>();

export function registerToxicKind(kind: ToxicKind): void {
  kinds.set(kind.type, kind);
}

export function toxicKind(type: string): ToxicKind | undefined {
  return kinds.get(type);
}

export function toxicTypes(): string[] {
  return [...kinds.keys()].sort();
}

export const monotonicMs = (): number => performance.now();

/** Lets everything through untouched: used where a toxic's toxicity roll says "not this link". */
export class PassThroughStage implements ToxicStage {
  constructor(private readonly output: StageOutput) {}
  write(chunk: Buffer): void {
    this.output.push(chunk);
  }
  end(): void {
    this.output.end();
  }
  update(): void {}
  flush(): void {}
  destroy(): void {}
}

/** Reads non-negative integer attributes (Toxiproxy uses int64 fields), defaulting to `base`. */
export function integerAttributes<K extends string>(
  patch: unknown,
  base: Record<K, number>,
  type: string,
): Record<K, number> {
  if (patch === undefined || patch === null) return { ...base };
  if (typeof patch !== "object" || Array.isArray(patch)) {
    throw new ToxicAttributeError(`${type}: attributes must be an object`);
  }
  const result = { ...base };
  const input = patch as Record<string, unknown>;
  for (const key of Object.keys(base) as K[]) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new ToxicAttributeError(
        `${type}: ${key} must be a non-negative integer, got ${JSON.stringify(value)}`,
      );
    }
    result[key] = value;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// latency: each chunk leaves latency ± jitter after it entered this stage. Chunks are timed
// individually (not one after another), so throughput is kept; a FIFO keeps them in order even when
// jitter would let a later chunk overtake.

interface LatencyAttributes {
  latency: number;
  jitter: number;
}

interface HeldChunk {
  chunk: Buffer;
  arrivedAt: number;
  releaseAt: number;
}

class LatencyStage implements ToxicStage {
  // A FIFO with a moving head: shift() on a long array would copy it for every chunk released.
  private queue: (HeldChunk | undefined)[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private ending = false;
  private ended = false;
  private destroyed = false;

  constructor(
    private attributes: LatencyAttributes,
    private readonly context: StageContext,
  ) {}

  private delay(): number {
    const { latency, jitter } = this.attributes;
    const offset = jitter > 0 ? Math.random() * 2 * jitter - jitter : 0;
    return Math.max(0, latency + offset);
  }

  private get held(): number {
    return this.queue.length - this.head;
  }

  write(chunk: Buffer): void {
    const arrivedAt = this.context.now();
    this.queue.push({ chunk, arrivedAt, releaseAt: arrivedAt + this.delay() });
    if (this.held === 1) this.schedule();
  }

  end(): void {
    this.ending = true;
    if (this.held === 0) this.sendEnd();
  }

  update(attributes: ToxicAttributes): void {
    this.attributes = attributes as unknown as LatencyAttributes;
    // Held chunks take the new delay too, so lowering the latency takes effect at once.
    for (let i = this.head; i < this.queue.length; i++) {
      const held = this.queue[i]!;
      held.releaseAt = held.arrivedAt + this.delay();
    }
    this.schedule();
  }

  flush(): void {
    this.clearTimer();
    const queue = this.queue;
    const head = this.head;
    this.queue = [];
    this.head = 0;
    for (let i = head; i < queue.length; i++) this.context.output.push(queue[i]!.chunk);
    if (this.ending) this.sendEnd();
  }

  destroy(): void {
    this.destroyed = true;
    this.clearTimer();
    this.queue = [];
    this.head = 0;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.clearTimer();
    const next = this.queue[this.head];
    if (next === undefined) return;
    const wait = next.releaseAt - this.context.now();
    this.timer = setTimeout(() => this.release(), Math.max(0, Math.ceil(wait)));
  }

  private release(): void {
    this.timer = undefined;
    // setTimeout works in whole milliseconds; accept chunks due within the next half millisecond.
    const now = this.context.now() + 0.5;
    for (
      let next = this.queue[this.head];
      next !== undefined && next.releaseAt <= now;
      next = this.queue[this.head]
    ) {
      this.queue[this.head] = undefined;
      this.head++;
      this.context.output.push(next.chunk);
    }
    // Pushing can tear the connection down (a later toxic, a dead socket): then there is nothing to do.
    if (this.destroyed) return;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      if (this.ending) this.sendEnd();
      return;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.schedule();
  }

  private sendEnd(): void {
    if (this.ended || this.destroyed) return;
    this.ended = true;
    this.context.output.end();
  }
}

export const latencyToxic: ToxicKind = {
  type: "latency",
  parseAttributes(patch, base) {
    const current = (base as LatencyAttributes | undefined) ?? { latency: 0, jitter: 0 };
    return integerAttributes(patch, { latency: current.latency, jitter: current.jitter }, "latency");
  },
  createStage(attributes, context) {
    return new LatencyStage(attributes as unknown as LatencyAttributes, context);
  },
};

registerToxicKind(latencyToxic);
