// history.jsonl as a versioned format. Every line stays one op (Jepsen's shape), so `jq`, `grep` and
// line-oriented tools keep working; the version travels as the first op, a runner event
// `history-format {formatVersion}` at index 0, as k6's JSON output describes itself in its own lines
// rather than in a sidecar that can be separated from it.
import { checkFormatVersion, FormatError, isRecord, parseJson } from "../util/format-version.ts";
import { Events, Processes, type Op, type OpType } from "./types.ts";

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
  const ops: Op[] = [];
  const reader = new HistoryLineReader(options);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const op = reader.line(lines[i] as string, i + 1);
    if (op !== null) ops.push(op);
  }
  reader.end();
  return { formatVersion: reader.formatVersion, ops };
}

/**
 * readHistory's checks one line at a time, so a history can be read from a stream without holding
 * its ops (src/history/read-file.ts): `line` returns the line's op (null for a blank line) or throws a
 * FormatError naming the line; `end` refuses an empty history where a version is required.
 */
export class HistoryLineReader {
  formatVersion: number | null = null;
  count = 0;
  private lastIndex = -1;
  private readonly file: string;

  constructor(private readonly options: ReadHistoryOptions = {}) {
    this.file = options.file ?? "history.jsonl";
  }

  line(line: string, lineNo: number): Op | null {
    if (line.trim() === "") return null;
    const file = this.file;
    const op = writeOpOf(line) ?? toOp(parseJson(line, file, lineNo), file, lineNo);
    if (this.count > 0 && op.index <= this.lastIndex) {
      throw new FormatError(file, `op index ${op.index} does not follow ${this.lastIndex}`, lineNo);
    }
    if (op.f === Events.historyFormat && op.process === Processes.runner) {
      if (this.count > 0) throw new FormatError(file, "history-format must be the first op", lineNo);
      const value = isRecord(op.value) ? op.value : {};
      this.formatVersion = checkFormatVersion(value.formatVersion, HISTORY_FORMAT_VERSION, file, lineNo);
    }
    if (this.count === 0 && this.formatVersion === null && this.options.requireVersion === true) {
      throw new FormatError(
        file,
        `the first op is ${JSON.stringify(op.f)}, not history-format: not a run's history, ` +
          "or written by a failover-drill from before histories were versioned",
        lineNo,
      );
    }
    this.count++;
    this.lastIndex = op.index;
    return op;
  }

  end(): void {
    if (this.count === 0 && this.options.requireVersion === true)
      throw new FormatError(this.file, "empty: no ops");
  }
}

/**
 * A client's write exactly as the recorder writes it (JSON.stringify's key order, whole numbers,
 * strings without escapes), matched without JSON.parse: most lines of a long history are these, and
 * reading them is most of the time `check` and the runner spend on one. Anything else: null, and the
 * line goes through JSON.parse and toOp. Same Op either way (numbers convert as JSON.parse's do).
 */
// A raw control character is not valid inside a JSON string: such a line is left to JSON.parse to refuse.
const WRITE_LINE =
  // eslint-disable-next-line no-control-regex
  /^\{"index":(0|[1-9]\d{0,15}),"time":(0|[1-9]\d{0,15}),"process":(0|[1-9]\d{0,9}),"type":"(invoke|ok|fail|info)","f":"write","value":\{"id":(0|[1-9]\d{0,15})(?:,"region":"([^"\\\u0000-\u001f]*)")?(?:,"attempts":(0|[1-9]\d{0,9}))?\}(?:,"error":"([^"\\\u0000-\u001f]*)")?\}$/;

export function writeOpOf(line: string): Op | null {
  const m = WRITE_LINE.exec(line);
  if (m === null) return null;
  const value: { id: number; region?: string; attempts?: number } = { id: Number(m[5]) };
  if (m[6] !== undefined) value.region = m[6];
  if (m[7] !== undefined) value.attempts = Number(m[7]);
  const op: Op = {
    index: Number(m[1]),
    time: Number(m[2]),
    process: Number(m[3]),
    type: m[4] as OpType,
    f: Events.write,
    value,
  };
  if (m[8] !== undefined) op.error = m[8];
  return op;
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
