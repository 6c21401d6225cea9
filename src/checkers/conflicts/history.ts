// The keyed writes of an indexed history as the conflict checkers read them. An indeterminate write's
// stamp is unknown (its response never came): it is treated as able to beat any other.
import type { HistoryIndex } from "../history.ts";
import type { KeyedWrite } from "./types.ts";

export function keyedWrites(index: HistoryIndex): KeyedWrite[] {
  const out: KeyedWrite[] = [];
  for (const w of index.writes.values()) {
    const k = w.keyed;
    if (k === undefined) continue;
    const base = {
      id: w.id,
      client: w.client,
      region: w.region ?? "",
      key: k.key,
      stampMs: k.stamp ?? Number.POSITIVE_INFINITY,
      outcome: w.outcome,
      invokeNs: w.invokeNs,
      completeNs: w.completeNs,
      ...(k.prev === undefined ? {} : { prev: k.prev }),
    };
    out.push(
      k.op === "set"
        ? { ...base, kind: "set", value: k.value }
        : { ...base, kind: "add", delta: Number(k.value) },
    );
  }
  return out.sort((a, b) => a.invokeNs - b.invokeNs);
}
