// The one history of a drill: ops appended in order, kept in memory for the checkers and streamed to
// history.jsonl as they happen, so a crashed run still leaves its evidence on disk.
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import type { Clock } from "../clock.ts";
import { readHistory } from "./format.ts";
import type { Op, OpType } from "./types.ts";

export class HistoryRecorder implements AsyncDisposable {
  readonly ops: Op[] = [];
  private readonly stream: WriteStream | undefined;
  private closed = false;

  constructor(
    readonly clock: Clock,
    file?: string,
  ) {
    this.stream = file === undefined ? undefined : createWriteStream(file, { flags: "w" });
  }

  append(process: number | string, type: OpType, f: string, value?: unknown, error?: string): Op {
    const op: Op = { index: this.ops.length, time: this.clock.now(), process, type, f };
    if (value !== undefined) op.value = value;
    if (error !== undefined) op.error = error;
    this.ops.push(op);
    if (this.stream !== undefined && !this.closed) this.stream.write(JSON.stringify(op) + "\n");
    return op;
  }

  /** An event (type info) from a non-client process. */
  event(process: string, f: string, value?: unknown): Op {
    return this.append(process, "info", f, value);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.stream === undefined) return;
    this.stream.end();
    if (!this.stream.writableFinished) await once(this.stream, "finish");
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
