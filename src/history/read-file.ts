// history.jsonl read as a stream, one op at a time, so an hour of history is analysed without
// holding its ops (or its text) in memory. Same checks as readHistory (format.ts).
import { createReadStream } from "node:fs";
import { FormatError } from "../util/format-version.ts";
import { HistoryLineReader, type ReadHistoryOptions } from "./format.ts";
import type { Op } from "./types.ts";

export interface ReadHistoryFileOptions extends ReadHistoryOptions {
  /**
   * Drop a last line that has no newline and is not an op (a runner killed mid-write leaves one)
   * instead of refusing the history; `torn` then names its line.
   */
  tolerateTornTail?: boolean;
}

export interface HistoryFileStats {
  formatVersion: number | null;
  /** Ops read (the history-format op included). */
  ops: number;
  /** The line number of a dropped torn last line, when there was one. */
  torn?: number;
}

/** Calls `onOp` with every op of the file in order; a malformed line is a FormatError naming it. */
export async function forEachHistoryOp(
  file: string,
  onOp: (op: Op) => void,
  options: ReadHistoryFileOptions = {},
): Promise<HistoryFileStats> {
  const reader = new HistoryLineReader({ ...options, file: options.file ?? file });
  let rest = "";
  let lineNo = 0;
  const take = (line: string): void => {
    const op = reader.line(line, ++lineNo);
    if (op !== null) onOp(op);
  };
  try {
    for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
      const text = rest + (chunk as string);
      let from = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", from)) {
        take(text.slice(from, nl));
        from = nl + 1;
      }
      rest = text.slice(from);
    }
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError(options.file ?? file, (err as Error).message);
  }
  let torn: number | undefined;
  if (rest !== "") {
    try {
      take(rest);
    } catch (err) {
      if (options.tolerateTornTail !== true || !(err instanceof FormatError)) throw err;
      torn = lineNo;
    }
  }
  reader.end();
  return {
    formatVersion: reader.formatVersion,
    ops: reader.count,
    ...(torn === undefined ? {} : { torn }),
  };
}
