// history.jsonl as a versioned format. Every line stays one op (Jepsen's shape), so `jq`, `grep` and
// line-oriented tools keep working; the version travels as the first op, a runner event
// `history-format {formatVersion}` at index 0, as k6's JSON output describes itself in its own lines
// rather than in a sidecar that can be separated from it.
import { checkFormatVersion, FormatError, isRecord, parseJson } from "../util/format-version.ts";
import { Events, Processes, type Op } from "./types.ts";

/** Bump when a reader of the previous version would misread a new history (not for new events). */
export const HISTORY_FORMAT_VERSION = 1;

export interface HistoryFormatValue {
  formatVersion: number;
}

/** The value of the first op of every history the runner writes. */
export function historyFormatValue(): HistoryFormatValue {
  return { formatVersion: HISTORY_FORMAT_VERSION };
}

export interface ParsedHistory {
  /** From the leading history-format op; null when there is none (a hand-made or pre-version history). */
  formatVersion: number | null;
  /** Every op in file order, the history-format op included. */
  ops: Op[];
}

export interface ReadHistoryOptions {
  /** Named in errors; "history.jsonl" unless given. */
  file?: string;
  /** Refuse a history without the leading history-format op (a stored run must have one). */
  requireVersion?: boolean;
}

const OP_TYPES: ReadonlySet<unknown> = new Set(["invoke", "ok", "fail", "info"]);

/**
 * Parses a history, line by line: a line that is not JSON or not an op is refused with its line
 * number; so is a history-format op of a newer version. Blank lines are skipped.
 */
export function readHistory(text: string, options: ReadHistoryOptions = {}): ParsedHistory {
  const file = options.file ?? "history.jsonl";
  const ops: Op[] = [];
  let formatVersion: number | null = null;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    const op = toOp(parseJson(line, file, i + 1), file, i + 1);
    const previous = ops.at(-1);
    if (previous !== undefined && op.index <= previous.index) {
      throw new FormatError(file, `op index ${op.index} does not follow ${previous.index}`, i + 1);
    }
    if (op.f === Events.historyFormat && op.process === Processes.runner) {
      if (ops.length > 0) throw new FormatError(file, "history-format must be the first op", i + 1);
      const value = isRecord(op.value) ? op.value : {};
      formatVersion = checkFormatVersion(value.formatVersion, HISTORY_FORMAT_VERSION, file, i + 1);
    }
    if (ops.length === 0 && formatVersion === null && options.requireVersion === true) {
      throw new FormatError(
        file,
        `the first op is ${JSON.stringify(op.f)}, not history-format: not a run's history, ` +
          "or written by a failover-drill from before histories were versioned",
        i + 1,
      );
    }
    ops.push(op);
  }
  if (ops.length === 0 && options.requireVersion === true) throw new FormatError(file, "empty: no ops");
  return { formatVersion, ops };
}

/** The line's object as an Op, or a FormatError naming the first field that is wrong. */
function toOp(x: unknown, file: string, line: number): Op {
  const wrong = (problem: string): FormatError => new FormatError(file, `not an op: ${problem}`, line);
  if (!isRecord(x)) throw wrong("expected an object {index, time, process, type, f}");
  if (typeof x.index !== "number" || !Number.isInteger(x.index) || x.index < 0)
    throw wrong(`index must be a whole number from 0, got ${JSON.stringify(x.index)}`);
  if (typeof x.time !== "number" || !Number.isFinite(x.time))
    throw wrong(`time must be a number (ns), got ${JSON.stringify(x.time)}`);
  if (typeof x.process !== "number" && typeof x.process !== "string")
    throw wrong(`process must be a client number or a name, got ${JSON.stringify(x.process)}`);
  if (!OP_TYPES.has(x.type))
    throw wrong(`type must be invoke, ok, fail or info, got ${JSON.stringify(x.type)}`);
  if (typeof x.f !== "string") throw wrong(`f must be a string, got ${JSON.stringify(x.f)}`);
  if (x.error !== undefined && typeof x.error !== "string")
    throw wrong(`error must be a string, got ${JSON.stringify(x.error)}`);
  return x as unknown as Op;
}
