// One pass over the raw history that every checker shares: writes paired invoke -> completion, the
// clients, the original primary. Pure; anomalies in the history become notes, never exceptions.
import type { Drill } from "../drill/types.ts";
import { Events, type Op } from "../history/types.ts";

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
}

export interface HistoryIndex {
  drill: Drill;
  ops: readonly Op[];
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

export function indexHistory(drill: Drill, history: readonly Op[]): HistoryIndex {
  const ops = [...history].sort((a, b) => a.time - b.time || a.index - b.index);
  const notes: string[] = [];
  const writes = new Map<number, WriteRecord>();
  const writesByClient = new Map<number, WriteRecord[]>();
  const outstanding = new Map<number, WriteRecord>();
  const clientSet = new Set<number>();
  for (let c = 0; c < drill.workload.clients; c++) clientSet.add(c);
  let orphans = 0;

  for (const op of ops) {
    if (typeof op.process !== "number") continue;
    const client = op.process;
    if (op.f === Events.resolve || op.f === Events.write) clientSet.add(client);
    if (op.f !== Events.write) continue;
    const id = num(valueOf(op), "id");
    if (op.type === "invoke") {
      if (id === undefined || writes.has(id)) {
        notes.push(`write invoke at index ${op.index} has a missing or duplicate id; ignored`);
        continue;
      }
      const record: WriteRecord = {
        id,
        client,
        invokeNs: op.time,
        outcome: "pending",
        completeNs: null,
        region: null,
      };
      writes.set(id, record);
      outstanding.set(client, record);
      const list = writesByClient.get(client) ?? [];
      list.push(record);
      writesByClient.set(client, list);
      continue;
    }
    // A completion names its id; without one it completes the client's outstanding invoke (Jepsen).
    const record = id === undefined ? outstanding.get(client) : writes.get(id);
    if (record === undefined || record.outcome !== "pending") {
      orphans++;
      continue;
    }
    record.outcome = op.type;
    record.completeNs = op.time;
    if (op.type === "ok") record.region = str(valueOf(op), "region") ?? "unknown";
    if (op.error !== undefined) record.error = op.error;
    if (outstanding.get(client) === record) outstanding.delete(client);
  }
  if (orphans > 0) notes.push(`${orphans} write completion(s) without a matching invoke were ignored`);

  const originalPrimary =
    drill.regions.find((r) => r.role === "primary")?.name ??
    topologyRegions(ops).find((r) => r.role === "primary")?.name ??
    null;

  const clients = [...clientSet].sort((a, b) => a - b);
  return {
    drill,
    ops,
    writes,
    writesByClient,
    clients,
    originalPrimary,
    opIntervalMs: clientOpIntervalMs(drill),
    endNs: ops.reduce((max, op) => Math.max(max, op.time), 0),
    notes,
  };
}
