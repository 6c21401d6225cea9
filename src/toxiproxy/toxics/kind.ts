// What a toxic kind is: its integer attributes and one stage per connection and direction. Stages are
// chained (source -> stage -> ... -> sink). Every chunk carries the time it was read; latency is
// counted from that time, so chunks are delayed in parallel (throughput is kept) and two latency toxics
// add up. A stage that holds chunks hands them on, in order, when drained (toxic removed or re-rolled),
// so nothing is lost or reordered. One file per kind (Toxiproxy's toxics/*.go), listed in registry.ts.
import { performance } from "node:perf_hooks";

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

export const monotonicMs = (): number => performance.now();
