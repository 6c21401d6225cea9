// The one history of a drill: ops appended in order. A run's recorder streams them to history.jsonl
// and keeps none (an hour at 400 writes/s is millions of ops): lines wait in a small buffer that is
// written when it fills, every FLUSH_INTERVAL_MS and on close, so a killed runner leaves on disk
// everything up to its last fraction of a second (at worst a torn last line: read-file.ts).
// Without a file (tests, benches) the ops are kept in memory instead.
import { closeSync, openSync, writeSync } from "node:fs";
import type { Clock } from "../clock.ts";
import { readHistory } from "./format.ts";
import type { Op, OpType } from "./types.ts";

/** Buffered lines are written once they reach this many characters... */
export const FLUSH_CHARS = 64 * 1024;
/** ...or this long after the first of them. */
export const FLUSH_INTERVAL_MS = 100;

export class HistoryRecorder implements AsyncDisposable {
  private readonly kept: Op[] | null;
  private fd: number | null = null;
  private buffer: string[] = [];
  private bufferedChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private count = 0;
  private closed = false;
  private writeError: Error | null = null;

  constructor(
    readonly clock: Clock,
    readonly file?: string,
  ) {
    this.kept = file === undefined ? [] : null;
    if (file !== undefined) this.fd = openSync(file, "w");
  }

  /** Every op so far: only a recorder without a file keeps them (a run's history is read back from disk). */
  get ops(): readonly Op[] {
    if (this.kept === null)
      throw new Error(`the history streams to ${this.file} and is not kept in memory: read the file back`);
    return this.kept;
  }

  /** Ops appended so far. */
  get length(): number {
    return this.count;
  }

  append(process: number | string, type: OpType, f: string, value?: unknown, error?: string): Op {
    const op: Op = { index: this.count++, time: this.clock.now(), process, type, f };
    if (value !== undefined) op.value = value;
    if (error !== undefined) op.error = error;
    if (this.kept !== null) this.kept.push(op);
    else if (!this.closed) this.buffered(JSON.stringify(op) + "\n");
    return op;
  }

  /** An event (type info) from a non-client process. */
  event(process: string, f: string, value?: unknown): Op {
    return this.append(process, "info", f, value);
  }

  private buffered(line: string): void {
    this.buffer.push(line);
    this.bufferedChars += line.length;
    if (this.bufferedChars >= FLUSH_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS).unref();
  }

  /**
   * Writes the buffered lines (synchronously: one write per ~64 KiB or 100 ms, and a line is on disk
   * before anything later can run). A write error is kept and thrown by close(), not by append(), so
   * a full disk fails the run, not a client in the middle of its write.
   */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd === null || this.buffer.length === 0) return;
    const data = Buffer.from(this.buffer.join(""), "utf8");
    this.buffer = [];
    this.bufferedChars = 0;
    if (this.writeError !== null) return;
    try {
      for (let at = 0; at < data.length;) at += writeSync(this.fd, data, at);
    } catch (err) {
      this.writeError = err as Error;
    }
  }

  /** Flushes and closes the file; throws when any part of the history could not be written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      try {
        closeSync(fd);
      } catch (err) {
        this.writeError ??= err as Error;
      }
    }
    if (this.writeError !== null)
      throw new Error(`the history could not be written to ${this.file}: ${this.writeError.message}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * The ops of a history file, the history-format op (when present) included. Refuses a malformed line
 * or a newer format, naming the line; readHistory (format.ts) also returns the version.
 */
export function parseHistory(jsonl: string, file?: string): Op[] {
  return readHistory(jsonl, file === undefined ? {} : { file }).ops;
}
