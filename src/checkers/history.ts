// One pass over the raw history that every checker shares: writes paired invoke -> completion, the
// clients, the original primary. Pure; anomalies in the history become notes, never exceptions.
import type { Drill } from "../drill/types.ts";
import { Events, type Op } from "../history/types.ts";
import { ResolveLog } from "./resolve-log.ts";

/** Id lists in the summary are capped so a disastrous run still yields a readable report. */
export const MAX_LISTED_IDS = 1000;

export type WriteOutcome = "ok" | "fail" | "info" | "pending";

export interface WriteRecord {
  id: number;
  client: number;
  invokeNs: number;
  /** pending = invoked, never completed (the run ended first): as uncertain as `info`. */
  outcome: WriteOutcome;
  completeNs: number | null;
  /** Region that acknowledged an `ok` write. */
  region: string | null;
  error?: string;
  /** An active-active keyed write: what it did, and (once ok) its stamp and the version it replaced. */
  keyed?: KeyedOp;
}

export interface KeyedOp {
  op: "set" | "add";
  key: string;
  /** set: the register's new value; add: the delta as text. */
  value: string;
  home: string;
  stamp?: number;
  prev?: [number, string];
}

export interface HistoryIndex {
  drill: Drill;
  /**
   * Every op in time order except the clients' writes and lookups, which are in `writes` (one record
   * each) and `resolves`.
   */
  ops: readonly Op[];
  /** The clients' resolve ops (numbered processes) in time order. */
  resolves: ResolveLog;
  writes: ReadonlyMap<number, WriteRecord>;
  /** Each client's writes in invoke order. */
  writesByClient: ReadonlyMap<number, WriteRecord[]>;
  clients: number[];
  originalPrimary: string | null;
  /** Interval between two writes of one client, from the drill's rate. */
  opIntervalMs: number;
  endNs: number;
  notes: string[];
}

export type Value = Record<string, unknown>;

export function valueOf(op: Op): Value {
  return typeof op.value === "object" && op.value !== null ? (op.value as Value) : {};
}

export function str(v: Value, key: string): string | undefined {
  const x = v[key];
  return typeof x === "string" ? x : undefined;
}

export function num(v: Value, key: string): number | undefined {
  const x = v[key];
  return typeof x === "number" && Number.isFinite(x) ? x : undefined;
}

export const nsToRoundedMs = (ns: number): number => Math.round(ns / 1e3) / 1e3;

/** Milliseconds rounded to the microsecond, like nsToRoundedMs. */
export const roundMs = (ms: number): number => Math.round(ms * 1e3) / 1e3;

/** Interval between two writes of one client, from the drill's rate (0 without a rate). */
export function clientOpIntervalMs(drill: Drill): number {
  const { clients, ratePerSecond } = drill.workload;
  return ratePerSecond > 0 ? (clients * 1000) / ratePerSecond : 0;
}

export function eventsOf(index: HistoryIndex, f: string): Op[] {
  return index.ops.filter((op) => op.f === f);
}

/** The regions the first topology-up listed, as recorded. */
export function topologyRegions(
  ops: readonly Op[],
): Array<{ name?: string; role?: string; address?: unknown }> {
  const up = ops.find((op) => op.f === Events.topologyUp);
  const listed = up === undefined ? undefined : valueOf(up).regions;
  return Array.isArray(listed) ? listed : [];
}

/** The index of a history in any order: sorted by time (then index), then built op by op. */
export function indexHistory(drill: Drill, history: readonly Op[]): HistoryIndex {
  const builder = new HistoryIndexBuilder(drill);
  for (const op of [...history].sort((a, b) => a.time - b.time || a.index - b.index)) builder.add(op);
  return builder.finish();
}

/**
 * Builds a HistoryIndex from ops fed in time order (a run's history file is: see history-file.ts)
 * without holding the writes' ops: each write becomes one WriteRecord, each client lookup a row of a
 * ResolveLog, every other op is kept.
 */
export class HistoryIndexBuilder {
  private readonly events: Op[] = [];
  private readonly resolves = new ResolveLog();
  private readonly notes: string[] = [];
  private readonly writes = new Map<number, WriteRecord>();
  private readonly writesByClient = new Map<number, WriteRecord[]>();
  private readonly outstanding = new Map<number, WriteRecord>();
  private readonly clientSet = new Set<number>();
  private orphans = 0;
  private endNs = 0;
  /** The time of the last op added: add() refuses to go back (the caller sorts first). */
  lastNs = -Infinity;

  constructor(private readonly drill: Drill) {
    for (let c = 0; c < drill.workload.clients; c++) this.clientSet.add(c);
  }

  add(op: Op): void {
    if (op.time < this.lastNs) throw new RangeError(`op ${op.index} is earlier than the op before it`);
    this.lastNs = op.time;
    this.endNs = Math.max(this.endNs, op.time);
    if (typeof op.process === "number" && op.f === Events.resolve) {
      this.clientSet.add(op.process);
      this.resolves.add(op.time, op.process, str(valueOf(op), "address"));
      return;
    }
    if (typeof op.process !== "number" || op.f !== Events.write) {
      this.events.push(op);
      return;
    }
    const client = op.process;
    this.clientSet.add(client);
    const id = num(valueOf(op), "id");
    if (op.type === "invoke") {
      if (id === undefined || this.writes.has(id)) {
        this.notes.push(`write invoke at index ${op.index} has a missing or duplicate id; ignored`);
        return;
      }
      const record: WriteRecord = {
        id,
        client,
        invokeNs: op.time,
        outcome: "pending",
        completeNs: null,
        region: null,
      };
      const keyed = keyedOp(valueOf(op));
      if (keyed !== undefined) record.keyed = keyed;
      this.writes.set(id, record);
      this.outstanding.set(client, record);
      const list = this.writesByClient.get(client);
      if (list === undefined) this.writesByClient.set(client, [record]);
      else list.push(record);
      return;
    }
    // A completion names its id; without one it completes the client's outstanding invoke (Jepsen).
    const record = id === undefined ? this.outstanding.get(client) : this.writes.get(id);
    if (record === undefined || record.outcome !== "pending") {
      this.orphans++;
      return;
    }
    record.outcome = op.type;
    record.completeNs = op.time;
    // Region names repeat for every write: interned, so each record shares one string.
    if (op.type === "ok") record.region = this.intern(str(valueOf(op), "region") ?? "unknown");
    if (op.type === "ok" && record.keyed !== undefined) {
      const v = valueOf(op);
      const stamp = num(v, "stamp");
      if (stamp !== undefined) record.keyed.stamp = stamp;
      const prev = v["prev"];
      if (Array.isArray(prev) && typeof prev[0] === "number" && typeof prev[1] === "string")
        record.keyed.prev = [prev[0], prev[1]];
    }
    if (op.error !== undefined) record.error = this.intern(op.error);
    if (this.outstanding.get(client) === record) this.outstanding.delete(client);
  }

  private readonly strings = new Map<string, string>();
  private intern(s: string): string {
    if (this.strings.size > 10_000) return s;
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  finish(): HistoryIndex {
    const { drill, events: ops } = this;
    const notes = [...this.notes];
    if (this.orphans > 0)
      notes.push(`${this.orphans} write completion(s) without a matching invoke were ignored`);
    const originalPrimary =
      drill.regions.find((r) => r.role === "primary")?.name ??
      topologyRegions(ops).find((r) => r.role === "primary")?.name ??
      null;
    return {
      drill,
      ops,
      resolves: this.resolves,
      writes: this.writes,
      writesByClient: this.writesByClient,
      clients: [...this.clientSet].sort((a, b) => a - b),
      originalPrimary,
      opIntervalMs: clientOpIntervalMs(drill),
      endNs: this.endNs,
      notes,
    };
  }
}

/** The keyed part of a write's invoke value, when it has one. */
function keyedOp(v: Value): KeyedOp | undefined {
  const op = v["op"];
  const key = str(v, "key");
  if ((op !== "set" && op !== "add") || key === undefined) return undefined;
  const value = op === "set" ? str(v, "value") : num(v, "delta")?.toString();
  return { op, key, value: value ?? "", home: str(v, "home") ?? "" };
}
