// What each write does (issue 14): a unique insert, setting a register to a unique value, or adding 1
// to a counter, over a bounded key space so regions writing concurrently conflict. Drawn from a seeded
// generator per client, so a run's ops repeat with its seed.
import type { OpKind } from "../drill/active-active.ts";
import { seededRandom, type Random } from "./random.ts";

export type PlannedOp =
  | { op: "insert" }
  | { op: "set"; key: string; value: string; home: string }
  | { op: "add"; key: string; delta: number; home: string };

export interface OpPlanOptions {
  mix: Partial<Record<OpKind, number>>;
  keys: number;
  /** Data residency: a client writes records homed in its own site's region (keys "<site>/k<i>"). */
  homed: boolean;
  seed: number;
}

const KINDS: readonly OpKind[] = ["insert", "set", "add"];

export class OpPlan {
  private readonly random = new Map<number, Random>();
  constructor(private readonly o: OpPlanOptions) {}

  /** Only unique inserts: the write path of every drill before issue 14. */
  get insertsOnly(): boolean {
    return (this.o.mix.set ?? 0) === 0 && (this.o.mix.add ?? 0) === 0;
  }

  /** The op of write `id` by client `client` living at `site`. */
  next(id: number, client: number, site: string): PlannedOp {
    if (this.insertsOnly) return { op: "insert" };
    let random = this.random.get(client);
    if (random === undefined) {
      random = seededRandom((this.o.seed ^ Math.imul(client + 1, 0x9e3779b1)) >>> 0);
      this.random.set(client, random);
    }
    const r = random();
    let kind: OpKind = "insert";
    let acc = 0;
    for (const k of KINDS) {
      acc += this.o.mix[k] ?? 0;
      if (r < acc) {
        kind = k;
        break;
      }
    }
    if (kind === "insert") return { op: "insert" };
    const i = Math.floor(random() * this.o.keys);
    const key = this.o.homed ? `${site}/k${i}` : `k${i}`;
    const home = this.o.homed ? site : "";
    return kind === "set" ? { op: "set", key, value: String(id), home } : { op: "add", key, delta: 1, home };
  }
}

/** The path a keyed op is POSTed to on the reference app. */
export function keyedPath(op: Exclude<PlannedOp, { op: "insert" }>): string {
  const q = new URLSearchParams({ op: op.op, home: op.home });
  if (op.op === "set") q.set("value", op.value);
  else q.set("delta", String(op.delta));
  return `/kv/${encodeURIComponent(op.key)}?${q.toString()}`;
}
